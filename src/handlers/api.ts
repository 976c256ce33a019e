/**
 * The HTTP API's Lambda entry, behind API Gateway's HTTP API: the Hono app
 * wired to the real adapters from configuration. Built on first use, so
 * importing the bundle needs no environment.
 */
import type { LambdaContext, LambdaEvent } from "hono/aws-lambda";
import { awsConfig, httpConfig, userSyncConfig } from "../config.ts";
import { cognitoIssuer, createTokenVerifier } from "../http/bearer-token.ts";
import { createLambdaHandler } from "../http/lambda.ts";
import { createObservability, lazyHandler } from "./observability.ts";
import { wireUserSync } from "./user-sync-wiring.ts";

export const handler = lazyHandler(() => {
  const http = httpConfig();
  const aws = awsConfig();
  const users = userSyncConfig();
  const wiring = wireUserSync(users, aws);
  const { logger, metrics, count } = createObservability("api");
  const issuer =
    http.COGNITO_ISSUER ?? cognitoIssuer(aws.AWS_REGION, users.USER_POOL_ID);

  const serveEvent = createLambdaHandler({
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
    logger,
    count,
  });

  return async function api(event: LambdaEvent, context?: unknown) {
    try {
      return await serveEvent(event, context as LambdaContext | undefined);
    } finally {
      metrics.publishStoredMetrics();
    }
  };
});
