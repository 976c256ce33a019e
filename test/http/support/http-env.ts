/**
 * The HTTP app against the real local engines: cognito-local issues the
 * tokens, dynalite holds the users table, fauxqs the sync queue. Also a
 * second app client and a second pool, whose tokens must be refused.
 */
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CreateUserPoolClientCommand,
  InitiateAuthCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import {
  type UserSyncWiring,
  wireUserSync,
} from "../../../src/handlers/user-sync-wiring.ts";
import { bearerIdentity } from "../../../src/http/auth.ts";
import {
  createTokenVerifier,
  type TokenVerifierOptions,
} from "../../../src/http/bearer-token.ts";
import type { HttpLogger } from "../../../src/http/context.ts";
import type { AppDeps } from "../../../src/http/deps.ts";
import { createUserPool } from "../../../src/local/provision.ts";
import {
  startUserSyncEnv,
  type UserSyncEnv,
} from "../../support/user-sync-env.ts";

export const PASSWORD = "Correct-horse-9";

export interface Tokens {
  readonly idToken: string;
  readonly accessToken: string;
}

export interface HttpEnv {
  readonly env: UserSyncEnv;
  readonly wiring: UserSyncWiring;
  /** An app client of the same pool that the API does not accept. */
  readonly otherClientId: string;
  /** Lines the app logged, as JSON text. */
  readonly logs: string[];
  readonly logger: HttpLogger;
  /** Deps for createApp with the real adapters; override what a test needs. */
  appDeps(overrides?: Partial<AppDeps>): AppDeps;
  verifierOptions(): TokenVerifierOptions;
  /** Creates a confirmed user and signs in with `clientId`. */
  signUp(
    email: string,
    clientId?: string,
  ): Promise<{ userId: string } & Tokens>;
  signIn(email: string, clientId: string): Promise<Tokens>;
  /** Tokens of a user of another pool: same engine, another issuer. */
  foreignTokens(email: string): Promise<Tokens>;
  stop(): Promise<void>;
}

export async function startHttpEnv(): Promise<HttpEnv> {
  const env = await startUserSyncEnv();
  const wiring = wireUserSync(env.config, env.aws, env.clients);
  const { UserPoolClient } = await env.clients.cognito.send(
    new CreateUserPoolClientCommand({
      UserPoolId: env.userPoolId,
      ClientName: "another-service",
      ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH"],
    }),
  );
  const foreign = await createUserPool(env.clients.cognito, "foreign-pool");
  const logs: string[] = [];
  const logger: HttpLogger = {
    info: (message, attributes) => logs.push(line(message, attributes)),
    warn: (message, attributes) => logs.push(line(message, attributes)),
    error: (message, attributes) => logs.push(line(message, attributes)),
  };

  const verifierOptions = (): TokenVerifierOptions => ({
    issuer: env.issuer,
    clientIds: [env.clientId],
  });

  async function signIn(email: string, clientId: string): Promise<Tokens> {
    const { AuthenticationResult } = await env.clients.cognito.send(
      new InitiateAuthCommand({
        AuthFlow: "USER_PASSWORD_AUTH",
        ClientId: clientId,
        AuthParameters: { USERNAME: email, PASSWORD: PASSWORD },
      }),
    );

    return {
      idToken: AuthenticationResult?.IdToken ?? "",
      accessToken: AuthenticationResult?.AccessToken ?? "",
    };
  }

  return {
    env,
    wiring,
    otherClientId: UserPoolClient?.ClientId ?? "",
    logs,
    logger,
    verifierOptions,
    appDeps: (overrides = {}) => ({
      syncer: wiring.sync,
      store: wiring.store,
      queue: wiring.queue,
      identify: bearerIdentity(createTokenVerifier(verifierOptions())),
      minIntervalSeconds: env.config.SYNC_MIN_INTERVAL_SECONDS,
      logger,
      ...overrides,
    }),
    async signUp(email, clientId = env.clientId) {
      const userId = await env.createUser(email, { name: "Ada Lovelace" });

      return { userId, ...(await signIn(email, clientId)) };
    },
    signIn,
    async foreignTokens(email) {
      const { User } = await env.clients.cognito.send(
        new AdminCreateUserCommand({
          UserPoolId: foreign.userPoolId,
          Username: email,
          UserAttributes: [{ Name: "email", Value: email }],
          MessageAction: "SUPPRESS",
        }),
      );
      await env.clients.cognito.send(
        new AdminSetUserPasswordCommand({
          UserPoolId: foreign.userPoolId,
          Username: User?.Username,
          Password: PASSWORD,
          Permanent: true,
        }),
      );

      return signIn(email, foreign.clientId);
    },
    stop: () => env.stop(),
  };
}

function line(message: string, attributes: Record<string, unknown>): string {
  return JSON.stringify({ message, ...attributes });
}
