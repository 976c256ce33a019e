import { GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import {
  CreateSecretCommand,
  PutSecretValueCommand,
} from "@aws-sdk/client-secrets-manager";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  CDN_PREFIX,
  CDN_SECRET,
  type CdnEngines,
  R2_BUCKET,
  startCdnEngines,
} from "../support/cdn-engines.ts";
import { cdnS3Event } from "../support/cdn-events.ts";
import { grantS3rverKey, revokeS3rverKey } from "../support/cdn-r2-keys.ts";

const BUCKET = "wired-assets";
const FIRST_KEY = "R2-KEY-BEFORE-ROTATION";

function secretWith(r2AccessKeyId: string): string {
  return JSON.stringify({
    accountId: "local",
    r2AccessToken: "local-token",
    r2AccessKeyId,
    r2SecretAccessKey: "S3RVER",
  });
}

let engines: CdnEngines;

beforeAll(async () => {
  engines = await startCdnEngines([BUCKET]);
  await engines.register("wired", BUCKET);
  // Keys that the rotation test below revokes; s3rver accepts them until then.
  grantS3rverKey(FIRST_KEY, "S3RVER");
  await engines.secrets.send(
    new CreateSecretCommand({
      Name: CDN_SECRET,
      SecretString: secretWith(FIRST_KEY),
    }),
  );
  // Configuration is read once per process; this file runs in its own.
  vi.stubEnv("S3_ENDPOINT", engines.source.endpoint);
  vi.stubEnv("SSM_ENDPOINT", engines.ssmSecrets.endpoint);
  vi.stubEnv("SECRETS_ENDPOINT", engines.ssmSecrets.endpoint);
  vi.stubEnv("CDN_REGISTRY_PREFIX", CDN_PREFIX);
  vi.stubEnv("CDN_SECRET_NAME", CDN_SECRET);
  vi.stubEnv("CDN_R2_BUCKET", R2_BUCKET);
  vi.stubEnv("CDN_R2_ENDPOINT", engines.r2.endpoint);
  vi.stubEnv("CDN_BASE_URL", "https://cdn.example.test/");
  vi.stubEnv("POWERTOOLS_METRICS_DISABLED", "true");
  vi.stubEnv("POWERTOOLS_LOG_LEVEL", "SILENT");
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await engines?.stop();
});

describe("the configured cdn-sync handler", () => {
  it("mirrors an object using only environment configuration", async () => {
    const { handler } = await import("../../src/handlers/cdn-sync.ts");
    await engines.sourceClient.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: "a b.txt", Body: "wired" }),
    );

    const result = await handler(
      cdnS3Event("Object Created", BUCKET, "a b.txt"),
    );

    expect(result).toEqual({ outcome: "copied" });
    const copy = await engines.r2Client.send(
      new GetObjectCommand({ Bucket: R2_BUCKET, Key: "wired/a b.txt" }),
    );
    expect(await copy.Body?.transformToString()).toBe("wired");
  });

  it("after R2 refuses the cached keys, the next attempt reads the rotated secret", async () => {
    const { handler } = await import("../../src/handlers/cdn-sync.ts");
    await engines.sourceClient.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: "rotated.txt", Body: "new" }),
    );
    await engines.secrets.send(
      new PutSecretValueCommand({
        SecretId: CDN_SECRET,
        SecretString: secretWith("S3RVER"),
      }),
    );
    revokeS3rverKey(FIRST_KEY);
    const event = cdnS3Event("Object Created", BUCKET, "rotated.txt");

    const first = handler(event);
    await expect(first).rejects.toMatchObject({
      name: "CdnR2CredentialsRejectedError",
      cause: { $metadata: { httpStatusCode: 403 } },
    });
    const retry = await handler(event);

    expect(retry).toEqual({ outcome: "copied" });
  });
});
