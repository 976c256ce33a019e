/**
 * Helpers against the running local core, found through its
 * endpoints.json: create a user, sign in and print an ID token, upload a
 * file to a registered bucket.
 */
import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import type { Command } from "commander";
import { clientOptions, s3Options } from "../aws/clients.ts";
import { localConfig } from "../config.ts";
import { contentTypeOf } from "../local/content-type.ts";
import {
  type LocalEndpoints,
  readEndpointsFile,
} from "../local/endpoints-file.ts";
import { LocalCoreUsageError } from "../local/errors.ts";

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
    .action(addUser);
  dev
    .command("token <email>")
    .description("sign in (USER_PASSWORD_AUTH) and print the ID token")
    .option("--password <password>", "the user's password", DEV_PASSWORD)
    .action(printToken);
  dev
    .command("upload <dir> <file>")
    .description("upload a file to the bucket registered for <dir>")
    .option("--key <key>", "object key (default: the file's name)")
    .action(upload);
}

const running = () => readEndpointsFile(localConfig().CORE_HOME);
const cognitoOf = (endpoints: LocalEndpoints) =>
  new CognitoIdentityProviderClient(
    clientOptions(endpoints.region, endpoints.cognito.endpoint),
  );

async function addUser(
  email: string,
  flags: { password: string; name?: string; gravatar?: boolean },
): Promise<void> {
  const endpoints = await running();
  const cognito = cognitoOf(endpoints);
  const attributes = {
    email,
    email_verified: "true",
    ...(flags.name ? { name: flags.name } : {}),
    ...(flags.gravatar ? { "custom:enable_gravatar": "true" } : {}),
  };
  const { User } = await cognito.send(
    new AdminCreateUserCommand({
      UserPoolId: endpoints.cognito.userPoolId,
      Username: email,
      UserAttributes: Object.entries(attributes).map(([Name, Value]) => ({
        Name,
        Value,
      })),
      MessageAction: "SUPPRESS",
    }),
  );
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
  email: string,
  flags: { password: string },
): Promise<void> {
  const endpoints = await running();
  const { AuthenticationResult } = await cognitoOf(endpoints).send(
    new InitiateAuthCommand({
      ClientId: endpoints.cognito.clientId,
      AuthFlow: "USER_PASSWORD_AUTH",
      AuthParameters: { USERNAME: email, PASSWORD: flags.password },
    }),
  );
  if (!AuthenticationResult?.IdToken) {
    throw new LocalCoreUsageError(
      "the sign-in asked for a challenge (e.g. a new password); use a user made by `core dev user add`",
    );
  }
  console.log(AuthenticationResult.IdToken);
}

async function upload(
  dir: string,
  file: string,
  flags: { key?: string },
): Promise<void> {
  const endpoints = await running();
  const bucket = endpoints.s3.buckets[dir];
  if (!bucket) {
    const known = Object.keys(endpoints.s3.buckets).join(", ");
    throw new LocalCoreUsageError(
      `no bucket is registered for "${dir}"; registered: ${known} (add more with CDN_BUCKETS=dir=bucket)`,
    );
  }
  const key = flags.key ?? basename(file);
  const s3 = new S3Client(s3Options(endpoints.region, endpoints.s3.endpoint));
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: await readFile(file),
      ContentType: contentTypeOf(file),
    }),
  );
  const path = key.split("/").map(encodeURIComponent).join("/");
  console.log(`${endpoints.cdn}/${dir}/${path}`);
}
