import type { LambdaEvent } from "hono/aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/http/app.ts";
import { createTokenVerifier } from "../../src/http/bearer-token.ts";
import { createLambdaHandler } from "../../src/http/lambda.ts";
import { type RunningServer, serveApp } from "../../src/http/serve.ts";
import { type HttpEnv, startHttpEnv } from "./support/http-env.ts";

let http: HttpEnv;

beforeAll(async () => {
  http = await startHttpEnv();
});

afterAll(async () => {
  await http?.stop();
});

/** An HTTP API (payload 2.0) event, as API Gateway hands it to Lambda. */
function apiGatewayEvent(options: {
  method: string;
  path: string;
  claims?: Record<string, string>;
  headers?: Record<string, string>;
}): LambdaEvent {
  const routeKey = `${options.method} ${options.path}`;

  return {
    version: "2.0",
    routeKey,
    rawPath: options.path,
    rawQueryString: "",
    headers: { host: "api.example.test", ...options.headers },
    body: null,
    isBase64Encoded: false,
    requestContext: {
      accountId: "123456789012",
      apiId: "api",
      domainName: "api.example.test",
      domainPrefix: "api",
      http: {
        method: options.method,
        path: options.path,
        protocol: "HTTP/1.1",
        sourceIp: "192.0.2.1",
        userAgent: "vitest",
      },
      requestId: "apigw-request-1",
      routeKey,
      stage: "$default",
      time: "03/Dec/2026:20:00:00 +0000",
      timeEpoch: 1_796_328_000_000,
      ...(options.claims
        ? { authorizer: { jwt: { claims: options.claims, scopes: null } } }
        : {}),
    },
  } as unknown as LambdaEvent;
}

function lambda() {
  return createLambdaHandler({
    ...http.appDeps(),
    verifier: createTokenVerifier(http.verifierOptions()),
    clientIds: [http.env.clientId],
  });
}

describe("behind API Gateway", () => {
  it("trusts the JWT authorizer's claims: 200 without an Authorization header", async () => {
    const userId = await http.env.createUser("apigw@example.test", {
      name: "Katherine Johnson",
    });
    const event = apiGatewayEvent({
      method: "POST",
      path: "/v1/auth/sync",
      claims: {
        sub: userId,
        token_use: "id",
        aud: http.env.clientId,
        iss: http.env.issuer,
        email: "apigw@example.test",
      },
    });

    const result = await lambda()(event);

    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toMatchObject({
      id: userId,
      name: "Katherine Johnson",
    });
    expect(result.body).not.toContain("apigw@example.test");
    expect(result.headers["x-request-id"]).toBe("apigw-request-1");
  });

  it("accepts access-token claims naming an accepted client", async () => {
    const userId = await http.env.createUser("apigw-access@example.test");
    const event = apiGatewayEvent({
      method: "GET",
      path: "/v1/auth/sync",
      claims: {
        sub: userId,
        token_use: "access",
        client_id: http.env.clientId,
      },
    });

    expect((await lambda()(event)).statusCode).toBe(200);
  });

  it("answers 401 when the authorizer's claims belong to another app client", async () => {
    const event = apiGatewayEvent({
      method: "POST",
      path: "/v1/auth/sync",
      claims: {
        sub: "0b6a1c9e-0000-4000-8000-000000000001",
        token_use: "id",
        aud: http.otherClientId,
      },
    });

    const result = await lambda()(event);

    expect(result.statusCode).toBe(401);
    expect(JSON.parse(result.body).error.message).toMatch(/another audience/);
  });

  it("verifies the bearer token itself when the event carries no claims", async () => {
    const user = await http.signUp("no-authorizer@example.test");
    const withToken = apiGatewayEvent({
      method: "POST",
      path: "/v1/auth/sync",
      headers: { authorization: `Bearer ${user.idToken}` },
    });
    const withNothing = apiGatewayEvent({
      method: "POST",
      path: "/v1/auth/sync",
    });

    expect((await lambda()(withToken)).statusCode).toBe(200);
    expect((await lambda()(withNothing)).statusCode).toBe(401);
  });
});

describe("the api Lambda wired from configuration", () => {
  const saved = { ...process.env };

  afterAll(() => {
    process.env = saved;
  });

  it("syncs a caller from the environment's engines, pool and clients", async () => {
    const { env } = http;
    Object.assign(process.env, {
      AWS_REGION: env.aws.AWS_REGION,
      COGNITO_ENDPOINT: env.aws.COGNITO_ENDPOINT,
      DYNAMODB_ENDPOINT: env.aws.DYNAMODB_ENDPOINT,
      S3_ENDPOINT: env.aws.S3_ENDPOINT,
      SQS_ENDPOINT: env.aws.SQS_ENDPOINT,
      USER_POOL_ID: env.config.USER_POOL_ID,
      USERS_TABLE: env.config.USERS_TABLE,
      SYNC_QUEUE_URL: env.config.SYNC_QUEUE_URL,
      AVATARS_BUCKET: env.config.AVATARS_BUCKET,
      CDN_BASE_URL: env.config.CDN_BASE_URL,
      GRAVATAR_BASE_URL: env.config.GRAVATAR_BASE_URL,
      COGNITO_ISSUER: env.issuer,
      COGNITO_CLIENT_IDS: `${env.clientId}, unused-client`,
      POWERTOOLS_METRICS_DISABLED: "true",
    });
    const { handler } = await import("../../src/handlers/api.ts");
    const user = await http.signUp("wired@example.test");

    const result = await handler(
      apiGatewayEvent({
        method: "POST",
        path: "/v1/auth/sync",
        headers: { authorization: `Bearer ${user.idToken}` },
      }),
    );

    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toMatchObject({ id: user.userId });
  });
});

describe("on the local Node server", () => {
  let server: RunningServer;

  beforeAll(async () => {
    server = await serveApp(createApp(http.appDeps()));
  });

  afterAll(async () => {
    await server?.stop();
  });

  it("listens on loopback and syncs a caller with a valid token", async () => {
    const user = await http.signUp("node@example.test");

    const response = await fetch(`${server.url}/v1/auth/sync`, {
      method: "POST",
      headers: { Authorization: `Bearer ${user.accessToken}` },
    });

    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { id: string }).id).toBe(user.userId);
  });

  it("never takes a caller from anything but a verified token", async () => {
    const response = await fetch(`${server.url}/v1/auth/sync`, {
      method: "POST",
      headers: {
        "x-amzn-request-context": JSON.stringify({
          authorizer: { jwt: { claims: { sub: "someone", token_use: "id" } } },
        }),
      },
    });

    expect(response.status).toBe(401);
  });
});
