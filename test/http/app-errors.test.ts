import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/http/app.ts";
import type { Syncer } from "../../src/http/deps.ts";
import {
  profileFor,
  type StoreEnv,
  startStoreEnv,
} from "./support/store-env.ts";

let env: StoreEnv;

beforeAll(async () => {
  env = await startStoreEnv();
});

afterAll(async () => {
  await env?.stop();
});

describe("answers that are not successes", () => {
  it("answers 404 JSON for an unknown route", async () => {
    const app = createApp(env.appDeps());

    const response = await app.request("/v2/nothing-here");

    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toMatch(/application\/json/);
    expect(await response.json()).toEqual({
      error: {
        code: "not_found",
        message: "No route for GET /v2/nothing-here",
      },
    });
  });

  it("answers 405 JSON with Allow for a known route and another method", async () => {
    const app = createApp(env.appDeps());

    const response = await app.request("/v1/auth/sync", { method: "DELETE" });

    expect(response.status).toBe(405);
    expect(response.headers.get("Allow")).toBe("GET, HEAD, POST");
    expect(
      ((await response.json()) as { error: { code: string } }).error.code,
    ).toBe("method_not_allowed");
  });

  it("answers 500 with a generic message and logs the failure with the request id", async () => {
    const app = createApp(env.appDeps({ store: env.brokenStore }));

    const response = await app.request("/v1/users/u-1");

    expect(response.status).toBe(500);
    const requestId = response.headers.get("X-Request-Id") ?? "";
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({
      error: {
        code: "internal_error",
        message: `Something went wrong on our side; quote request id ${requestId}`,
      },
    });
    expect(text).not.toContain("no-such-table");
    const logged = env.logs.find((line) => line.includes(requestId));
    expect(logged).toContain("UserStoreError");
  });
});

describe("CORS", () => {
  const origin = "https://www.example.test";

  it("allows the configured origins", async () => {
    const app = createApp(env.appDeps({ corsOrigins: [origin] }));

    const preflight = await app.request("/v1/auth/sync", {
      method: "OPTIONS",
      headers: {
        Origin: origin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization",
      },
    });
    const read = await app.request("/v1/users/nobody", {
      headers: { Origin: origin },
    });

    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("Access-Control-Allow-Origin")).toBe(origin);
    expect(preflight.headers.get("Access-Control-Allow-Headers")).toMatch(
      /Authorization/,
    );
    expect(read.headers.get("Access-Control-Allow-Origin")).toBe(origin);
    expect(read.headers.get("Access-Control-Expose-Headers")).toMatch(
      /Retry-After/,
    );
  });

  it("sends no CORS headers to other origins", async () => {
    const app = createApp(env.appDeps({ corsOrigins: [origin] }));

    const response = await app.request("/v1/users/nobody", {
      headers: { Origin: "https://evil.example.test" },
    });

    expect(response.headers.get("Access-Control-Allow-Origin")).toBeNull();
  });

  it("sends no CORS headers when no origin is configured", async () => {
    const app = createApp(env.appDeps());

    const response = await app.request("/v1/users/nobody", {
      headers: { Origin: origin },
    });

    expect(response.headers.get("Access-Control-Allow-Origin")).toBeNull();
  });
});

describe("a sync that meets a newer stored snapshot", () => {
  const caller = async () => ({ userId: "u-stale", tokenUse: "id" as const });

  it("answers 200 with what the table holds", async () => {
    const stored = profileFor("u-stale");
    const syncer: Syncer = {
      sync: async () => ({ status: "stale", profile: stored }),
    };
    const app = createApp(env.appDeps({ syncer, identify: caller }));

    const response = await app.request("/v1/auth/sync", { method: "POST" });

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(stored);
  });

  it("answers 404 when the newer snapshot has gone too", async () => {
    const syncer: Syncer = {
      sync: async () => ({ status: "stale", profile: undefined }),
    };
    const clock = () => new Date(Date.now() + 60_000);
    const app = createApp(env.appDeps({ syncer, identify: caller, clock }));

    const response = await app.request("/v1/auth/sync", { method: "POST" });

    expect(response.status).toBe(404);
  });
});
