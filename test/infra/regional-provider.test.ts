/**
 * The us-east-1 provider of the sign-in certificate deploys with the
 * stack's own AWS settings, as the default provider does.
 */
import { beforeAll, describe, expect, test } from "vitest";
import { named, plain, type Recorded } from "./pulumi-harness.ts";
import { runCore } from "./run-core.ts";

const ASSUMED_ROLE = {
  roleArn: "arn:aws:iam::123456789012:role/deploy",
  sessionName: "api-core-deploy",
  externalId: "platform",
};

let recorded: Recorded[];

beforeAll(async () => {
  ({ recorded } = await runCore({
    config: {
      "aws:profile": "platform-deploy",
      "aws:assumeRoles": JSON.stringify([ASSUMED_ROLE]),
      "aws:sharedConfigFiles": '["/home/deploy/.aws/config"]',
      "aws:sharedCredentialsFiles": '["/home/deploy/.aws/credentials"]',
      "aws:allowedAccountIds": '["123456789012"]',
      "aws:accessKey": "AKIAEXAMPLEONLY",
      "aws:secretKey": "example-secret-key",
      "aws:defaultTags": '{"tags":{"service":"api-core"}}',
      "aws:endpoints": '[{"acm":"http://127.0.0.1:4566"}]',
    },
  }));
});

/** Provider inputs reach the engine JSON-encoded, as strings. */
function providerInput(name: string): unknown {
  const value = plain(named(recorded, "us-east-1").inputs[name]);

  return typeof value === "string" && /^[[{]/.test(value)
    ? JSON.parse(value)
    : value;
}

describe("the us-east-1 provider of the sign-in certificate", () => {
  test("is in us-east-1 and signs in through the stack's profile and files", () => {
    expect(providerInput("region")).toBe("us-east-1");
    expect(providerInput("profile")).toBe("platform-deploy");
    expect(providerInput("sharedConfigFiles")).toEqual([
      "/home/deploy/.aws/config",
    ]);
    expect(providerInput("sharedCredentialsFiles")).toEqual([
      "/home/deploy/.aws/credentials",
    ]);
  });

  test("assumes the stack's role and keeps to the stack's accounts", () => {
    expect(providerInput("assumeRoles")).toEqual([ASSUMED_ROLE]);
    expect(providerInput("allowedAccountIds")).toEqual(["123456789012"]);
  });

  test("gets static keys of the stack as secrets", () => {
    const inputs = named(recorded, "us-east-1").inputs;

    expect(plain(inputs.accessKey)).toBe("AKIAEXAMPLEONLY");
    expect(inputs.accessKey).not.toBe("AKIAEXAMPLEONLY");
    expect(plain(inputs.secretKey)).toBe("example-secret-key");
    expect(inputs.secretKey).not.toBe("example-secret-key");
  });

  test("tags as the stack does, but keeps the stack's regional endpoints out", () => {
    expect(providerInput("defaultTags")).toEqual({
      tags: { service: "api-core" },
    });
    expect(providerInput("endpoints")).toBeUndefined();
  });
});
