/**
 * Helpers against the running local core, found through its
 * endpoints.json: create a user, sign in and print an ID token, upload a
 * file to a registered bucket.
 */
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import type { Command } from "commander";
import { clientOptions } from "../aws/clients.ts";
import { isAwsError } from "../aws/errors.ts";
import type { LocalEndpoints } from "../local/endpoints-file.ts";
import { LocalCoreUsageError } from "../local/errors.ts";
import { againstCore } from "./dev-core.ts";
import { upload } from "./dev-upload.ts";

/** The password of helper-made users unless `--password` says otherwise. */
export const DEV_PASSWORD = "Local-core-1";

export function registerDevHelpers(dev: Command): void {
  dev
    .command("user")
    .description("users of the local core")
    .command("add <email>")
    .description("create a confirmed user who can sign in at once")
    .option("--password <password>", "the user's password", DEV_PASSWORD)
    .option("--name <name>", "the user's name")
    .option("--gravatar", "set custom:enable_gravatar, caching their Gravatar")
    .action(againstCore(addUser));
  dev
    .command("token <email>")
    .description("sign in (USER_PASSWORD_AUTH) and print the ID token")
    .option("--password <password>", "the user's password", DEV_PASSWORD)
    .action(againstCore(printToken));
  dev
    .command("upload <dir> <file>")
    .description("upload a file to the bucket registered for <dir>")
    .option("--key <key>", "object key (default: the file's name)")
    .action(againstCore(upload));
}

const cognitoOf = (endpoints: LocalEndpoints) =>
  new CognitoIdentityProviderClient(
    clientOptions(endpoints.region, endpoints.cognito.endpoint),
  );

async function addUser(
  endpoints: LocalEndpoints,
  email: string,
  flags: { password: string; name?: string; gravatar?: boolean },
): Promise<void> {
  const cognito = cognitoOf(endpoints);
  const attributes = {
    email,
    email_verified: "true",
    ...(flags.name ? { name: flags.name } : {}),
    ...(flags.gravatar ? { "custom:enable_gravatar": "true" } : {}),
  };
  const { User } = await cognito
    .send(
      new AdminCreateUserCommand({
        UserPoolId: endpoints.cognito.userPoolId,
        Username: email,
        UserAttributes: Object.entries(attributes).map(([Name, Value]) => ({
          Name,
          Value,
        })),
        MessageAction: "SUPPRESS",
      }),
    )
    .catch(explainUserExists);
  await cognito.send(
    new AdminSetUserPasswordCommand({
      UserPoolId: endpoints.cognito.userPoolId,
      Username: User?.Username,
      Password: flags.password,
      Permanent: true,
    }),
  );
  const sub = User?.Attributes?.find((a) => a.Name === "sub")?.Value;
  console.log(
    `Created user ${sub}; their profile syncs at their first sign-in (core dev token).`,
  );
}

async function printToken(
  endpoints: LocalEndpoints,
  email: string,
  flags: { password: string },
): Promise<void> {
  const { AuthenticationResult } = await cognitoOf(endpoints)
    .send(
      new InitiateAuthCommand({
        ClientId: endpoints.cognito.clientId,
        AuthFlow: "USER_PASSWORD_AUTH",
        AuthParameters: { USERNAME: email, PASSWORD: flags.password },
      }),
    )
    .catch(explainSignInFailure);
  if (!AuthenticationResult?.IdToken) {
    throw new LocalCoreUsageError(
      "the sign-in asked for a challenge (e.g. a new password); use a user made by `core dev user add`",
    );
  }
  console.log(AuthenticationResult.IdToken);
}

// Like every line the core prints, these leave the email address out.
function explainUserExists(error: unknown): never {
  if (!isAwsError(error, "UsernameExistsException")) throw error;
  throw new LocalCoreUsageError(
    "a user with this email exists already; `core dev token <email>` signs them in",
    { cause: error },
  );
}

function explainSignInFailure(error: unknown): never {
  // cognito-local says InvalidPasswordException where Cognito says
  // NotAuthorizedException.
  const refused = [
    "NotAuthorizedException",
    "UserNotFoundException",
    "InvalidPasswordException",
  ];
  if (!refused.some((name) => isAwsError(error, name))) throw error;
  throw new LocalCoreUsageError(
    `the sign-in was refused (${(error as Error).message}); check --password (default ${DEV_PASSWORD}), or create the user with \`core dev user add\``,
    { cause: error },
  );
}
