/**
 * The HTTP API's Lambda entry, behind API Gateway's HTTP API: the Hono app
 * wired to the real adapters from configuration. Built on first use, so
 * importing the bundle needs no environment.
 */
import type { LambdaContext, LambdaEvent } from "hono/aws-lambda";
import { INTERACTIVE_CALL_LIMITS } from "../aws/client-options.ts";
import { awsConfig, httpConfig, userSyncConfig } from "../config.ts";
import { createLambdaHandler } from "../http/lambda.ts";
import { apiAppDeps } from "./api-deps.ts";
import { createObservability, lazyHandler } from "./observability.ts";
import { userSyncClients, wireUserSync } from "./user-sync-wiring.ts";

export const handler = lazyHandler(() => {
  const http = httpConfig();
  const aws = awsConfig();
  const users = userSyncConfig();
  // A caller is waiting: a silent Cognito must turn into a queued sync
  // (202) in seconds, not hold the request until API Gateway gives up.
  const wiring = wireUserSync(
    users,
    aws,
    userSyncClients(aws, INTERACTIVE_CALL_LIMITS),
  );
  const { logger, metrics, count } = createObservability("api");
  const serveEvent = createLambdaHandler(
    apiAppDeps({ http, aws, users, wiring, logger, count }),
  );

  return async function api(event: LambdaEvent, context?: unknown) {
    try {
      return await serveEvent(event, context as LambdaContext | undefined);
    } finally {
      metrics.publishStoredMetrics();
    }
  };
});
