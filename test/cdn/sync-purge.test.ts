import { DeleteObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import type { SQSBatchResponse } from "aws-lambda";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { cdnUrlFor, PURGE_BATCH_SIZE } from "../../src/cdn/purge.ts";
import { cloudflarePurger } from "../../src/cloudflare/purge-client.ts";
import { type CdnEngines, startCdnEngines } from "../support/cdn-engines.ts";
import {
  cdnS3Event,
  cdnSqsEvent,
  cdnSqsRecord,
} from "../support/cdn-events.ts";
import {
  type FakeCloudflare,
  startFakeCloudflare,
} from "../support/cdn-fake-cloudflare.ts";
import { CDN_BASE_URL, cdnSyncUnderTest } from "../support/cdn-sync-deps.ts";

const BUCKET = "site-assets";
const ZONE = "zone-123";

let engines: CdnEngines;
let cloudflare: FakeCloudflare;
let sync: ReturnType<typeof cdnSyncUnderTest>;

beforeAll(async () => {
  engines = await startCdnEngines([BUCKET]);
  await engines.register("site", BUCKET);
  await engines.storeR2Secret();
  cloudflare = await startFakeCloudflare();
  sync = cdnSyncUnderTest(engines, {
    purger: cloudflarePurger({
      zoneId: ZONE,
      apiToken: "purge-token",
      baseUrl: cloudflare.baseUrl,
    }),
  });
});

afterAll(async () => {
  await cloudflare?.stop();
  await engines?.stop();
});

beforeEach(() => {
  cloudflare.calls.length = 0;
  cloudflare.status = 200;
  sync.reset();
});

const put = (key: string, body: string) =>
  engines.sourceClient.send(
    new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }),
  );

async function syncAll(keys: string[]): Promise<SQSBatchResponse> {
  const records = keys.map((key) =>
    cdnSqsRecord(cdnS3Event("Object Created", BUCKET, key)),
  );

  return (await sync.handler(cdnSqsEvent(records))) as SQSBatchResponse;
}

describe("cache purge", () => {
  it("builds encoded CDN URLs", () => {
    expect(cdnUrlFor(CDN_BASE_URL, "site/a b/c+d%e/東.png")).toBe(
      `${CDN_BASE_URL}/site/a%20b/c+d%25e/%E6%9D%B1.png`,
    );
  });

  it("does not purge new objects, only replaced and deleted ones", async () => {
    await put("new.txt", "1");
    await syncAll(["new.txt"]);
    expect(cloudflare.calls).toEqual([]);

    await put("new.txt", "2");
    await syncAll(["new.txt"]);
    await engines.sourceClient.send(
      new DeleteObjectCommand({ Bucket: BUCKET, Key: "new.txt" }),
    );
    await syncAll(["new.txt"]);

    expect(cloudflare.calls).toEqual([
      {
        path: `/client/v4/zones/${ZONE}/purge_cache`,
        authorization: "Bearer purge-token",
        files: [`${CDN_BASE_URL}/site/new.txt`],
      },
      {
        path: `/client/v4/zones/${ZONE}/purge_cache`,
        authorization: "Bearer purge-token",
        files: [`${CDN_BASE_URL}/site/new.txt`],
      },
    ]);
  });

  it("batches the URLs of one invocation, at most 30 per call", async () => {
    const keys = Array.from({ length: 35 }, (_, index) => `many/${index}.txt`);
    for (const key of keys) await put(key, "old");
    await syncAll(keys);
    for (const key of keys) await put(key, "new");
    cloudflare.calls.length = 0;

    const response = await syncAll(keys);

    expect(response.batchItemFailures).toEqual([]);
    expect(cloudflare.calls.map((call) => call.files.length)).toEqual([
      PURGE_BATCH_SIZE,
      5,
    ]);
    expect(cloudflare.calls.flatMap((call) => call.files).sort()).toEqual(
      keys.map((key) => `${CDN_BASE_URL}/site/${key}`).sort(),
    );
    expect(sync.counts.get("PurgedUrls")).toBe(35);
  });

  it("logs and counts a failed purge without failing the records", async () => {
    await put("fails.txt", "old");
    await syncAll(["fails.txt"]);
    await put("fails.txt", "new");
    cloudflare.status = 500;

    const response = await syncAll(["fails.txt"]);

    expect(response.batchItemFailures).toEqual([]);
    // One call plus the purger's single retry; never retried forever.
    expect(cloudflare.calls).toHaveLength(2);
    expect(sync.counts.get("PurgeFailed")).toBe(1);
    expect(sync.lines).toContainEqual(
      expect.objectContaining({
        level: "error",
        message: "cdn purge failed",
        attributes: expect.objectContaining({
          first: `${CDN_BASE_URL}/site/fails.txt`,
        }),
      }),
    );
  });
});
