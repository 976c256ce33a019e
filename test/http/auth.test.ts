import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/http/app.ts";
import { bearerIdentity } from "../../src/http/auth.ts";
import { createTokenVerifier } from "../../src/http/bearer-token.ts";
import { type HttpEnv, startHttpEnv } from "./support/http-env.ts";
import {
  forgeSignature,
  type LocalIssuer,
  startLocalIssuer,
} from "./support/local-issuer.ts";

let http: HttpEnv;
let local: LocalIssuer;

beforeAll(async () => {
  [http, local] = await Promise.all([startHttpEnv(), startLocalIssuer()]);
});

afterAll(async () => {
  await Promise.all([http?.stop(), local?.stop()]);
});

function sync(app: ReturnType<typeof createApp>, authorization?: string) {
  return app.request("/v1/auth/sync", {
    method: "POST",
    headers: authorization ? { Authorization: authorization } : {},
  });
}

/** Asserts a 401 JSON answer whose message matches and echoes no token. */
async function expectUnauthorized(
  response: Response,
  message: RegExp,
  token = "",
) {
  expect(response.status).toBe(401);
  const text = await response.text();
  const body = JSON.parse(text);
  expect(body.error.code).toBe("unauthorized");
  expect(body.error.message).toMatch(message);
  if (token) {
    expect(text).not.toContain(token);
    expect(http.logs.join("\n")).not.toContain(token);
  }
}

describe("POST /v1/auth/sync identifies the caller by a Cognito token", () => {
  it("syncs the caller holding a valid ID token and answers their profile", async () => {
    const user = await http.signUp("ada@example.test");
    const app = createApp(http.appDeps());

    const response = await sync(app, `Bearer ${user.idToken}`);

    expect(response.status).toBe(200);
    const text = await response.text();
    const profile = JSON.parse(text);
    expect(profile).toMatchObject({
      id: user.userId,
      name: "Ada Lovelace",
      groups: [],
      enabled: true,
    });
    expect(Object.keys(profile).sort()).toEqual([
      "createdAt",
      "enabled",
      "groups",
      "id",
      "name",
      "syncedAt",
      "updatedAt",
    ]);
    expect(text).not.toContain("ada@example.test");
    expect(http.logs.join("\n")).not.toContain("ada@example.test");
    expect(await http.wiring.store.get(user.userId)).toMatchObject({
      name: "Ada Lovelace",
    });
  });

  it("accepts a valid access token as well", async () => {
    const user = await http.signUp("grace@example.test");
    const app = createApp(http.appDeps());

    const response = await app.request("/v1/auth/sync", {
      headers: { Authorization: `Bearer ${user.accessToken}` },
    });

    expect(response.status).toBe(200);
    expect(((await response.json()) as { id: string }).id).toBe(user.userId);
  });

  it("answers 401 when the Authorization header is missing", async () => {
    const app = createApp(http.appDeps());

    await expectUnauthorized(await sync(app), /header is missing/);
  });

  it("answers 401 when the Authorization header is not a Bearer token", async () => {
    const app = createApp(http.appDeps());

    await expectUnauthorized(
      await sync(app, "Basic YWRhOnNlY3JldA=="),
      /not a Bearer token/,
    );
  });

  it("answers 401 for a malformed token", async () => {
    const app = createApp(http.appDeps());

    await expectUnauthorized(
      await sync(app, "Bearer not.a-real.jwt"),
      /not a valid JWT/,
      "not.a-real.jwt",
    );
  });

  it("answers 401 for an expired token", async () => {
    const user = await http.signUp("expired@example.test");
    const dayAfterTomorrow = () => new Date(Date.now() + 48 * 3600 * 1000);
    const verifier = createTokenVerifier({
      ...http.verifierOptions(),
      clock: dayAfterTomorrow,
    });
    const app = createApp(http.appDeps({ identify: bearerIdentity(verifier) }));

    await expectUnauthorized(
      await sync(app, `Bearer ${user.idToken}`),
      /expired/,
      user.idToken,
    );
  });

  it("answers 401 for a token re-signed with another key under the issuer's key id", async () => {
    const user = await http.signUp("forged@example.test");
    const forged = await forgeSignature(user.idToken);
    const app = createApp(http.appDeps());

    await expectUnauthorized(
      await sync(app, `Bearer ${forged}`),
      /signature/,
      forged,
    );
  });

  it("answers 401 for an ID token of another app client", async () => {
    const user = await http.signUp(
      "other-aud@example.test",
      http.otherClientId,
    );
    const app = createApp(http.appDeps());

    await expectUnauthorized(
      await sync(app, `Bearer ${user.idToken}`),
      /another audience/,
      user.idToken,
    );
  });

  it("answers 401 for an access token of another app client", async () => {
    const user = await http.signUp(
      "other-client@example.test",
      http.otherClientId,
    );
    const app = createApp(http.appDeps());

    await expectUnauthorized(
      await sync(app, `Bearer ${user.accessToken}`),
      /another app client/,
      user.accessToken,
    );
  });

  it("answers 401 for a token from another issuer", async () => {
    const tokens = await http.foreignTokens("foreign@example.test");
    const app = createApp(http.appDeps());

    await expectUnauthorized(
      await sync(app, `Bearer ${tokens.idToken}`),
      /another issuer/,
      tokens.idToken,
    );
  });

  describe("with an issuer whose keys the test holds", () => {
    function localApp() {
      const verifier = createTokenVerifier({
        issuer: local.issuer,
        clientIds: [http.env.clientId],
      });

      return createApp(http.appDeps({ identify: bearerIdentity(verifier) }));
    }
    const aud = () => http.env.clientId;

    it("answers 200 for a well-formed ID token, so the refusals below are about one claim", async () => {
      const user = await http.signUp("local-ok@example.test");
      const token = await local.sign({
        sub: user.userId,
        token_use: "id",
        aud: aud(),
      });

      expect((await sync(localApp(), `Bearer ${token}`)).status).toBe(200);
    });

    it("answers 401 for a token that is neither an ID nor an access token", async () => {
      const token = await local.sign({
        sub: "3f0e1c1e-0000-4000-8000-000000000001",
        token_use: "refresh",
        aud: aud(),
      });

      await expectUnauthorized(
        await sync(localApp(), `Bearer ${token}`),
        /neither a Cognito ID token nor an access token/,
        token,
      );
    });

    it("answers 401 for a token without token_use", async () => {
      const token = await local.sign({
        sub: "3f0e1c1e-0000-4000-8000-000000000002",
        aud: aud(),
      });

      await expectUnauthorized(
        await sync(localApp(), `Bearer ${token}`),
        /"token_use" claim is missing/,
      );
    });

    it("answers 401 for a token without a subject", async () => {
      const token = await local.sign({ token_use: "id", aud: aud() });

      await expectUnauthorized(
        await sync(localApp(), `Bearer ${token}`),
        /"sub" claim is missing/,
      );
    });

    it("answers 401 for a token signed with HS256 rather than RS256", async () => {
      const token = await new SignJWT({
        sub: "3f0e1c1e-0000-4000-8000-000000000003",
        token_use: "id",
        aud: aud(),
      })
        .setProtectedHeader({ alg: "HS256", kid: "local-test-key" })
        .setIssuer(local.issuer)
        .setExpirationTime("1h")
        .sign(new TextEncoder().encode("a shared secret nobody should use"));

      await expectUnauthorized(
        await sync(localApp(), `Bearer ${token}`),
        /not signed with RS256/,
      );
    });
  });
});
