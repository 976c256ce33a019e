/**
 * A token issuer the test controls: its own RSA key, its JWKS served on
 * 127.0.0.1, so tests can mint tokens cognito-local never would (wrong
 * token_use, no sub) and forge signatures.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import {
  decodeJwt,
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  type JWTPayload,
  SignJWT,
} from "jose";

export interface LocalIssuer {
  /** The issuer URL; its JWKS is at `/.well-known/jwks.json`. */
  readonly issuer: string;
  /** A token with `claims`, `iss` set, expiring in an hour by default. */
  sign(claims: JWTPayload): Promise<string>;
  stop(): Promise<void>;
}

const KID = "local-test-key";

export async function startLocalIssuer(): Promise<LocalIssuer> {
  const { publicKey, privateKey } = await generateKeyPair("RS256");
  const jwk = { ...(await exportJWK(publicKey)), kid: KID, alg: "RS256" };
  const server = createServer((request, response) => {
    if (request.url !== "/.well-known/jwks.json") {
      response.writeHead(404).end();
      return;
    }
    response
      .writeHead(200, { "content-type": "application/json" })
      .end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve()),
  );
  const { port } = server.address() as AddressInfo;
  const issuer = `http://127.0.0.1:${port}`;

  return {
    issuer,
    sign: (claims) =>
      new SignJWT({ exp: Math.floor(Date.now() / 1000) + 3600, ...claims })
        .setProtectedHeader({ alg: "RS256", kid: KID })
        .setIssuer(issuer)
        .setIssuedAt()
        .sign(privateKey),
    stop: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * `token` with the same header (so the same `kid`) and claims, signed with
 * a key the issuer never published: a forgery.
 */
export async function forgeSignature(token: string): Promise<string> {
  const { privateKey } = await generateKeyPair("RS256");
  const header = decodeProtectedHeader(token);

  return new SignJWT(decodeJwt(token))
    .setProtectedHeader({ alg: "RS256", kid: header.kid })
    .sign(privateKey);
}
