import { describe, expect, it } from "vitest";
import {
  ConfigError,
  cdnConfig,
  httpConfig,
  triggerConfig,
  userSyncConfig,
} from "../src/config.ts";

const userSyncEnv = {
  USER_POOL_ID: "us-east-1_abc",
  USERS_TABLE: "core-dev-users",
  SYNC_QUEUE_URL: "https://sqs.us-east-1.amazonaws.com/123456789012/sync",
  AVATARS_BUCKET: "core-dev-avatars",
  CDN_BASE_URL: "https://cdn.example.com/",
};

function problemsOf(load: () => unknown): string[] {
  try {
    load();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("configuration", () => {
  it("applies defaults and trims trailing slashes", () => {
    expect(userSyncConfig(userSyncEnv)).toEqual({
      ...userSyncEnv,
      CDN_BASE_URL: "https://cdn.example.com",
      GRAVATAR_BASE_URL: "https://gravatar.com",
      GRAVATAR_SIZE: 200,
      GRAVATAR_TIMEOUT_MS: 3000,
      SYNC_MIN_INTERVAL_SECONDS: 10,
    });
  });

  it("names every missing or malformed variable at once", () => {
    const problems = problemsOf(() =>
      userSyncConfig({
        USERS_TABLE: "  ",
        SYNC_QUEUE_URL: "ftp://queue",
        CDN_BASE_URL: "not a url",
        GRAVATAR_SIZE: "4096",
        GRAVATAR_TIMEOUT_MS: "1.5",
        SYNC_MIN_INTERVAL_SECONDS: "ten",
      }),
    );

    expect(problems).toEqual([
      "USER_POOL_ID is not set",
      "USERS_TABLE must not be empty",
      "SYNC_QUEUE_URL must be an http(s) URL such as https://example.com",
      "AVATARS_BUCKET is not set",
      "CDN_BASE_URL must be an http(s) URL such as https://example.com",
      "GRAVATAR_SIZE must be at most 2048",
      "GRAVATAR_TIMEOUT_MS must be a whole number",
      "SYNC_MIN_INTERVAL_SECONDS must be a number",
    ]);
  });

  it("never echoes a value, so secrets stay out of logs", () => {
    const problems = problemsOf(() =>
      cdnConfig({
        CDN_R2_BUCKET: "r2",
        CDN_BASE_URL: "https://cdn.example.com",
        CLOUDFLARE_API_TOKEN: "",
        CDN_REGISTRY_PREFIX: "cdn-bucket-secret-looking-value",
      }),
    );

    expect(problems).toEqual([
      "CDN_REGISTRY_PREFIX must start and end with /",
      "CLOUDFLARE_API_TOKEN must not be empty",
    ]);
    expect(problems.join()).not.toContain("secret-looking");
  });

  it("reads lists and caps the trigger's enqueue deadline under Cognito's", () => {
    expect(
      httpConfig({ COGNITO_CLIENT_IDS: " a, b ,,", CORS_ORIGINS: "" }),
    ).toMatchObject({ COGNITO_CLIENT_IDS: ["a", "b"], CORS_ORIGINS: [] });
    expect(problemsOf(() => httpConfig({ COGNITO_CLIENT_IDS: " , " }))).toEqual(
      ["COGNITO_CLIENT_IDS must list at least one app client id"],
    );
    expect(
      problemsOf(() =>
        triggerConfig({
          SYNC_QUEUE_URL: "http://sqs.us-east-1.localhost:9324/0/sync",
          ENQUEUE_TIMEOUT_MS: "5000",
        }),
      ),
    ).toEqual(["ENQUEUE_TIMEOUT_MS must be at most 4000"]);
  });
});
