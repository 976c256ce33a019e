/**
 * The HTTP app's dependencies from configuration, shared by the Lambda
 * entry (behind API Gateway) and the local core's Node server.
 */
import type { AwsConfig, HttpConfig, UserSyncConfig } from "../config.ts";
import { cognitoIssuer, createTokenVerifier } from "../http/bearer-token.ts";
import type { HttpLogger } from "../http/context.ts";
import type { LambdaAppDeps } from "../http/lambda.ts";
import type { UserSyncWiring } from "./user-sync-wiring.ts";

export interface ApiSettings {
  readonly http: HttpConfig;
  readonly aws: AwsConfig;
  readonly users: UserSyncConfig;
  readonly wiring: UserSyncWiring;
  readonly logger: HttpLogger;
  readonly count?: (metric: string) => void;
}

/** Everything the app needs; the host decides how callers are identified. */
export function apiAppDeps(settings: ApiSettings): LambdaAppDeps {
  const { http, aws, users, wiring } = settings;
  const issuer =
    http.COGNITO_ISSUER ?? cognitoIssuer(aws.AWS_REGION, users.USER_POOL_ID);

  return {
    syncer: wiring.sync,
    store: wiring.store,
    queue: wiring.queue,
    verifier: createTokenVerifier({
      issuer,
      clientIds: http.COGNITO_CLIENT_IDS,
    }),
    clientIds: http.COGNITO_CLIENT_IDS,
    minIntervalSeconds: users.SYNC_MIN_INTERVAL_SECONDS,
    corsOrigins: http.CORS_ORIGINS,
    logger: settings.logger,
    ...(settings.count ? { count: settings.count } : {}),
  };
}
