/**
 * The app behind API Gateway's HTTP API. Callers are identified by the JWT
 * authorizer's claims in the event; a request without them (a route with no
 * authorizer) falls back to verifying its bearer token.
 */
import { handle } from "hono/aws-lambda";
import { createApp } from "./app.ts";
import { authorizerIdentity, bearerIdentity } from "./auth.ts";
import type { TokenVerifier } from "./bearer-token.ts";
import type { AppDeps } from "./deps.ts";

export interface LambdaAppDeps extends Omit<AppDeps, "identify"> {
  readonly verifier: TokenVerifier;
  /** App clients whose tokens the authorizer claims may come from. */
  readonly clientIds: readonly string[];
}

/** A Lambda handler serving the app for API Gateway events. */
export function createLambdaHandler(deps: LambdaAppDeps) {
  const { verifier, clientIds, ...rest } = deps;
  const app = createApp({
    ...rest,
    identify: authorizerIdentity(clientIds, bearerIdentity(verifier)),
  });

  return handle(app);
}
