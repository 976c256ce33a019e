import * as pulumi from "@pulumi/pulumi";
import { describe, expect, onTestFinished, test } from "vitest";
import {
  CONFIG_KEYS,
  loadStackConfig,
  parseStackConfig,
} from "../../infra/config.ts";
import { InfraConfigError } from "../../infra/errors.ts";
import { exampleConfigValues, stackFileValues } from "./pulumi-harness.ts";

function problemsOf(raw: Record<string, string | undefined>): string[] {
  try {
    parseStackConfig(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(InfraConfigError);
    return [...(error as InfraConfigError).problems];
  }
  throw new Error("the configuration was accepted");
}

describe("stack configuration", () => {
  test("the example stack file sets every key and is valid", () => {
    const values = exampleConfigValues();

    expect(Object.keys(values).sort()).toEqual([...CONFIG_KEYS].sort());
    const config = parseStackConfig(values);
    expect(config).toMatchObject({
      domain: "example.com",
      environment: "dev",
      production: false,
      zone: "create",
      logRetentionDays: 30,
      minTlsVersion: "1.2",
      apiThrottle: { burstLimit: 100, rateLimit: 50 },
    });
    expect(config.corsOrigins).toContain("https://www.example.com");
  });

  test("optional keys fall back to safe defaults", () => {
    const config = parseStackConfig({
      domain: "example.org",
      environment: "prod",
      cloudflareAccountId: "a".repeat(32),
      zone: "b".repeat(32),
      callbackUrls: '["https://example.org/cb"]',
      logoutUrls: '["https://example.org/"]',
      logRetentionDays: "90",
    });

    expect(config).toMatchObject({
      production: false,
      corsOrigins: [],
      minTlsVersion: "1.2",
      dmarcPolicy: "quarantine",
      resyncSchedule: "cron(0 3 * * ? *)",
    });
  });

  test("a missing key is named as not set", () => {
    const { domain: _, ...rest } = exampleConfigValues();

    expect(problemsOf(rest)).toEqual(["api-core:domain is not set"]);
  });

  test("each bad value is reported under its own key", () => {
    const problems = problemsOf({
      ...exampleConfigValues(),
      zone: "my-zone",
      logRetentionDays: "10",
      minTlsVersion: "1.4",
      cloudflareAccountId: "123",
    });

    expect(problems).toHaveLength(4);
    for (const key of [
      "zone",
      "logRetentionDays",
      "minTlsVersion",
      "cloudflareAccountId",
    ]) {
      expect(problems.some((p) => p.startsWith(`api-core:${key} `))).toBe(true);
    }
  });

  test("a bad list item is named with its position", () => {
    const problems = problemsOf({
      ...exampleConfigValues(),
      corsOrigins: '["https://ok.example.com", "https://bad.example.com/path"]',
    });

    expect(problems).toEqual([
      expect.stringMatching(/^api-core:corsOrigins\.1 must be an origin/),
    ]);
  });

  test("a sign-in or sign-out URL over plain http is rejected unless it is local", () => {
    const problems = problemsOf({
      ...exampleConfigValues(),
      callbackUrls: JSON.stringify([
        "https://www.example.com/auth/callback",
        "http://www.example.com/auth/callback",
        "http://localhost:5173/auth/callback",
        "http://127.0.0.1:8080/auth/callback",
      ]),
      logoutUrls: '["http://192.168.1.5/"]',
    });

    expect(problems).toEqual([
      "api-core:callbackUrls.1 'http://www.example.com/auth/callback' must use https: Cognito takes http only for localhost",
      "api-core:callbackUrls.3 'http://127.0.0.1:8080/auth/callback' must use https: Cognito takes http only for localhost",
      "api-core:logoutUrls.0 'http://192.168.1.5/' must use https: Cognito takes http only for localhost",
    ]);
  });

  test("a misspelled key is rejected, naming it and listing the known keys", () => {
    const { logRetentionDays, ...rest } = exampleConfigValues();
    const problems = problemsOf({ ...rest, logRetentionDay: logRetentionDays });

    expect(problems).toEqual([
      `api-core:logRetentionDay is not a key this program reads; the keys are ${[...CONFIG_KEYS].sort().join(", ")}`,
      "api-core:logRetentionDays is not set",
    ]);
  });

  test("loading the stack reports unknown keys of api-core only, not other namespaces", () => {
    const before = pulumi.runtime.allConfig();
    onTestFinished(() => pulumi.runtime.setAllConfig(before));
    pulumi.runtime.setAllConfig({
      ...stackFileValues(),
      "api-core:corsOrigin": '["https://www.example.com"]',
      "aws:profile": "deploy",
      "cloudflare:apiToken": "not-a-real-token",
    });

    let problems: readonly string[] = [];
    try {
      loadStackConfig();
    } catch (error) {
      problems = (error as InfraConfigError).problems;
    }

    expect(problems).toEqual([
      expect.stringMatching(
        /^api-core:corsOrigin is not a key this program reads; the keys are apiThrottle, callbackUrls, /,
      ),
    ]);
  });

  test("a list given as plain text is rejected naming the key", () => {
    const problems = problemsOf({
      ...exampleConfigValues(),
      callbackUrls: "https://example.com/cb",
    });

    expect(problems).toEqual([
      "api-core:callbackUrls is not a YAML list or map",
    ]);
  });
});
