/**
 * Backfill purges Cloudflare's cache like the sync: the CDN URLs of the
 * R2 objects it overwrote or deleted, in batches, after the directory's
 * copies and deletions. The Cloudflare API is the local fake.
 */
import { DeleteObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { backfill } from "../../src/cdn/backfill.ts";
import type { BackfillPorts } from "../../src/cdn/backfill-ports.ts";
import type { BackfillCache } from "../../src/cdn/backfill-purge.ts";
import { needsAttention } from "../../src/cdn/backfill-summary.ts";
import { cdnUrlFor, PURGE_BATCH_SIZE } from "../../src/cdn/purge.ts";
import { cloudflarePurger } from "../../src/cloudflare/purge-client.ts";
import {
  type CdnEngines,
  R2_BUCKET,
  startCdnEngines,
} from "../support/cdn-engines.ts";
import {
  type FakeCloudflare,
  startFakeCloudflare,
} from "../support/cdn-fake-cloudflare.ts";
import { backfillPorts, putObjects, registryOf } from "./backfill-fixture.ts";

const ZONE = "zone-backfill";
const BASE_URL = "https://cdn.example.test";

let engines: CdnEngines;
let cloudflare: FakeCloudflare;
let ports: BackfillPorts;
let cache: BackfillCache;

beforeAll(async () => {
  engines = await startCdnEngines(["posters-src", "stills-src", "clips-src"]);
  cloudflare = await startFakeCloudflare();
  ports = await backfillPorts(engines);
  cache = {
    purger: cloudflarePurger({
      zoneId: ZONE,
      apiToken: "purge-token",
      baseUrl: cloudflare.baseUrl,
    }),
    cdnBaseUrl: BASE_URL,
  };
});
afterAll(async () => {
  await Promise.all([cloudflare?.stop(), engines?.stop()]);
});
beforeEach(() => {
  cloudflare.calls.length = 0;
  cloudflare.status = 200;
});

const put = (bucket: string, key: string, body: string) =>
  engines.sourceClient.send(
    new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }),
  );

describe("backfill's cache purge", () => {
  it("purges overwritten and deleted objects, not new ones", async () => {
    const registry = registryOf(["posters", "posters-src"]);
    await putObjects(engines.sourceClient, "posters-src", 3);
    const [first] = await backfill(ports, registry, R2_BUCKET, { cache });
    const callsAfterFirst = cloudflare.calls.length;
    await put("posters-src", "item-0.txt", "a longer body than before");
    await engines.sourceClient.send(
      new DeleteObjectCommand({ Bucket: "posters-src", Key: "item-1.txt" }),
    );
    await put("posters-src", "new.txt", "new");

    const [second] = await backfill(ports, registry, R2_BUCKET, {
      cache,
      delete: true,
      forceDelete: true,
    });

    expect(first).toMatchObject({ copied: 3, purged: 0 });
    expect(callsAfterFirst).toBe(0);
    expect(second).toMatchObject({
      copied: 2,
      deleted: 1,
      purged: 2,
      firstPurged: cdnUrlFor(BASE_URL, "posters/item-0.txt"),
      purgeFailures: [],
    });
    expect(cloudflare.calls).toEqual([
      {
        path: `/client/v4/zones/${ZONE}/purge_cache`,
        authorization: "Bearer purge-token",
        files: [
          cdnUrlFor(BASE_URL, "posters/item-0.txt"),
          cdnUrlFor(BASE_URL, "posters/item-1.txt"),
        ],
      },
    ]);
  });

  it("sends the URLs in batches", async () => {
    const count = PURGE_BATCH_SIZE + 5;
    const registry = registryOf(["stills", "stills-src"]);
    await putObjects(engines.sourceClient, "stills-src", count);
    await backfill(ports, registry, R2_BUCKET);
    for (let n = 0; n < count; n += 1) {
      await put("stills-src", `item-${n}.txt`, `changed, longer body ${n}`);
    }

    const [summary] = await backfill(ports, registry, R2_BUCKET, { cache });

    expect(summary).toMatchObject({ copied: count, purged: count });
    expect(cloudflare.calls.map((call) => call.files.length)).toEqual([
      PURGE_BATCH_SIZE,
      5,
    ]);
  });

  it("reports a refused purge and flags the run; the copies stand", async () => {
    const registry = registryOf(["clips", "clips-src"]);
    await putObjects(engines.sourceClient, "clips-src", 1);
    await backfill(ports, registry, R2_BUCKET);
    await put("clips-src", "item-0.txt", "a longer body than before");
    cloudflare.status = 403;

    const [summary] = await backfill(ports, registry, R2_BUCKET, { cache });

    expect(summary).toMatchObject({ copied: 1, purged: 0, failures: [] });
    expect(summary?.purgeFailures).toEqual([
      {
        urls: 1,
        first: cdnUrlFor(BASE_URL, "clips/item-0.txt"),
        message: expect.stringMatching(/Cloudflare refused to purge 1 URLs/),
      },
    ]);
    expect(summary && needsAttention([summary])).toBe(true);
  });
});
