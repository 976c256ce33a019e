import { GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  CDN_PREFIX,
  CDN_SECRET,
  type CdnEngines,
  R2_BUCKET,
  startCdnEngines,
} from "../support/cdn-engines.ts";
import { cdnS3Event } from "../support/cdn-events.ts";

const BUCKET = "wired-assets";

let engines: CdnEngines;

beforeAll(async () => {
  engines = await startCdnEngines([BUCKET]);
  await engines.register("wired", BUCKET);
  await engines.storeR2Secret();
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
});
