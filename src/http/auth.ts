/**
 * Caller identity. Behind API Gateway the JWT authorizer has already
 * verified the token and put its claims in the Lambda event; anywhere else
 * the app verifies the `Authorization: Bearer` token itself. Claims are
 * read from the event only by the identifier the Lambda entry builds, so a
 * request to the Node server can never pass them in.
 */
import type { TokenVerifier } from "./bearer-token.ts";
import { type Caller, callerFromClaims } from "./claims.ts";
import { HttpUnauthorizedError } from "./errors.ts";

/** What an identifier may look at in a request. */
export interface CallerRequest {
  /** The `Authorization` header, if any. */
  readonly authorization: string | undefined;
  /** The Lambda event, when the app runs behind the Lambda adapter. */
  readonly lambdaEvent?: unknown;
}

/** Resolves the caller of a request or throws HttpUnauthorizedError. */
export type IdentifyCaller = (request: CallerRequest) => Promise<Caller>;

const BEARER = /^Bearer[ \t]+([^\s]+)[ \t]*$/i;

/** Identifies callers by verifying their bearer token with `verifier`. */
export function bearerIdentity(verifier: TokenVerifier): IdentifyCaller {
  return async function identifyBearer(request) {
    const header = request.authorization;
    if (header === undefined || header.trim() === "") {
      throw new HttpUnauthorizedError(
        "The Authorization header is missing; send Authorization: Bearer <token>",
      );
    }

    const match = BEARER.exec(header);
    if (!match?.[1]) {
      throw new HttpUnauthorizedError(
        "The Authorization header is not a Bearer token",
      );
    }

    return verifier.verify(match[1]);
  };
}

/**
 * Identifies callers from API Gateway's JWT authorizer claims, accepting
 * only tokens of `clientIds`; requests that arrive without authorizer claims
 * (a route without an authorizer) go to `fallback`.
 */
export function authorizerIdentity(
  clientIds: readonly string[],
  fallback: IdentifyCaller,
): IdentifyCaller {
  return async function identifyFromAuthorizer(request) {
    const claims = authorizerClaims(request.lambdaEvent);
    if (!claims) return fallback(request);

    return callerFromClaims(claims, clientIds);
  };
}

/** `requestContext.authorizer.jwt.claims` of an HTTP API (v2) event. */
function authorizerClaims(
  event: unknown,
): Readonly<Record<string, unknown>> | undefined {
  const claims = (
    event as
      | { requestContext?: { authorizer?: { jwt?: { claims?: unknown } } } }
      | undefined
  )?.requestContext?.authorizer?.jwt?.claims;
  if (!claims || typeof claims !== "object") return undefined;

  return claims as Record<string, unknown>;
}
