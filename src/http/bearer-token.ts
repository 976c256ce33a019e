/**
 * Verifies a Cognito JWT with `jose` against the issuer's JWKS, for when no
 * API Gateway authorizer has done it (the local Node server, or a route
 * without an authorizer). Every rejection is an HttpUnauthorizedError that
 * says what is wrong without echoing the token.
 */
import {
  createRemoteJWKSet,
  decodeJwt,
  errors,
  type JWTPayload,
  type JWTVerifyGetKey,
  jwtVerify,
} from "jose";
import { type Caller, callerFromClaims } from "./claims.ts";
import { HttpUnauthorizedError, HttpUnavailableError } from "./errors.ts";

/** Cognito signs its tokens with RS256 only. */
const COGNITO_ALGORITHMS = ["RS256"];
/** Well under API Gateway's 30 s limit, so a slow JWKS still gets an answer. */
const JWKS_TIMEOUT_MS = 3000;

export interface TokenVerifierOptions {
  /** e.g. `https://cognito-idp.<region>.amazonaws.com/<poolId>`. */
  readonly issuer: string;
  /** App clients whose tokens are accepted. */
  readonly clientIds: readonly string[];
  /** Signing keys; defaults to `<issuer>/.well-known/jwks.json`. */
  readonly keys?: JWTVerifyGetKey;
  /** The time tokens are checked against; tests move it. */
  readonly clock?: () => Date;
}

/** Turns a bearer token into the caller it proves, or rejects it. */
export interface TokenVerifier {
  verify(token: string): Promise<Caller>;
}

/** A verifier for tokens of `options.issuer`; JWKS fetches are cached. */
export function createTokenVerifier(
  options: TokenVerifierOptions,
): TokenVerifier {
  const keys =
    options.keys ??
    createRemoteJWKSet(new URL(`${options.issuer}/.well-known/jwks.json`), {
      timeoutDuration: JWKS_TIMEOUT_MS,
    });

  return {
    async verify(token) {
      // Checked before any key is fetched, so junk costs no JWKS request.
      const unverified = decodeClaims(token);
      if (unverified.iss !== options.issuer) {
        throw new HttpUnauthorizedError(
          "The token was issued by another issuer",
        );
      }

      const claims = await verifySignature(token, keys, options);

      return callerFromClaims(claims, options.clientIds);
    },
  };
}

function decodeClaims(token: string): JWTPayload {
  try {
    return decodeJwt(token);
  } catch (error) {
    throw new HttpUnauthorizedError("The bearer token is not a valid JWT", {
      cause: error,
    });
  }
}

async function verifySignature(
  token: string,
  keys: JWTVerifyGetKey,
  options: TokenVerifierOptions,
): Promise<JWTPayload> {
  try {
    const { payload } = await jwtVerify(token, keys, {
      issuer: options.issuer,
      algorithms: COGNITO_ALGORITHMS,
      requiredClaims: ["exp", "sub", "token_use"],
      currentDate: options.clock?.(),
    });

    return payload;
  } catch (error) {
    throw rejection(error);
  }
}

/** Token problems become 401; failing to fetch the keys is ours, a 503. */
function rejection(error: unknown): Error {
  const cause = { cause: error };
  if (error instanceof errors.JWTExpired) {
    return new HttpUnauthorizedError("The token has expired", cause);
  }
  if (
    error instanceof errors.JWSSignatureVerificationFailed ||
    error instanceof errors.JWKSNoMatchingKey ||
    error instanceof errors.JWKSMultipleMatchingKeys
  ) {
    return new HttpUnauthorizedError(
      "The token's signature does not match the issuer's keys",
      cause,
    );
  }
  if (error instanceof errors.JOSEAlgNotAllowed) {
    return new HttpUnauthorizedError(
      "The token is not signed with RS256",
      cause,
    );
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    return new HttpUnauthorizedError(
      `The token's "${error.claim}" claim is ${error.reason === "missing" ? "missing" : "invalid"}`,
      cause,
    );
  }
  if (
    error instanceof errors.JWSInvalid ||
    error instanceof errors.JWTInvalid
  ) {
    return new HttpUnauthorizedError(
      "The bearer token is not a valid JWT",
      cause,
    );
  }

  return new HttpUnavailableError(
    "auth_unavailable",
    "The token issuer's keys could not be fetched; retry later",
    cause,
  );
}

/** The issuer of a user pool's tokens in AWS. */
export function cognitoIssuer(region: string, userPoolId: string): string {
  return `https://cognito-idp.${region}.amazonaws.com/${userPoolId}`;
}
