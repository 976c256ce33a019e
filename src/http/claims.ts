/**
 * Who is calling, as read from the claims of a verified Cognito token.
 * The same checks apply whether the app verified the token itself or API
 * Gateway's JWT authorizer did (the authorizer checks neither `token_use`
 * nor, for ID tokens, which app client the token belongs to).
 */
import { HttpUnauthorizedError } from "./errors.ts";

/** Cognito issues ID and access tokens; refresh tokens are opaque. */
export type TokenUse = "id" | "access";

/** The verified caller. */
export interface Caller {
  /** The Cognito `sub`, our user id. */
  readonly userId: string;
  readonly tokenUse: TokenUse;
}

/**
 * The caller named by `claims`, or HttpUnauthorizedError when the token is
 * not an ID or access token of one of `clientIds`, or names no subject.
 */
export function callerFromClaims(
  claims: Readonly<Record<string, unknown>>,
  clientIds: readonly string[],
): Caller {
  const tokenUse = claims.token_use;
  if (tokenUse !== "id" && tokenUse !== "access") {
    throw new HttpUnauthorizedError(
      "The token is neither a Cognito ID token nor an access token",
    );
  }

  const clients =
    tokenUse === "id" ? audiences(claims.aud) : audiences(claims.client_id);
  if (!clients.some((client) => clientIds.includes(client))) {
    throw new HttpUnauthorizedError(
      tokenUse === "id"
        ? "The ID token was issued for another audience"
        : "The access token was issued to another app client",
    );
  }

  const sub = claims.sub;
  if (typeof sub !== "string" || sub.trim() === "") {
    throw new HttpUnauthorizedError("The token names no subject (sub)");
  }

  return { userId: sub, tokenUse };
}

/**
 * `aud` may be a string or a list; API Gateway hands claims on as strings,
 * a list rendered as `[a b]`.
 */
function audiences(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value !== "string") return [];

  const text = value.trim();
  if (text.startsWith("[") && text.endsWith("]")) {
    return text
      .slice(1, -1)
      .split(/[\s,]+/)
      .filter(Boolean);
  }

  return [text];
}
