import {
  DeleteObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backfill } from "../../src/cdn/backfill.ts";
import type {
  BackfillPorts,
  ObjectHeads,
} from "../../src/cdn/backfill-ports.ts";
import type { Registry } from "../../src/cdn/types.ts";
import { verify } from "../../src/cdn/verify.ts";
import { printVerification } from "../../src/cli/cdn-backfill-report.ts";
import {
  type CdnEngines,
  R2_BUCKET,
  startCdnEngines,
} from "../support/cdn-engines.ts";
import {
  backfillPorts,
  objectHeads,
  putObjects,
  registryOf,
} from "./backfill-fixture.ts";

let engines: CdnEngines;
let ports: BackfillPorts;

beforeAll(async () => {
  const buckets = ["covers-src", "posters-src", "stills-src", "reels-src"];
  engines = await startCdnEngines(buckets);
  ports = await backfillPorts(engines);
});
afterAll(async () => {
  await engines?.stop();
});

/**
 * `dir` backfilled from its own bucket `<dir>-src` of six objects, so that
 * each test starts from its own state and passes alone or in any order.
 */
async function mirrored(dir: string): Promise<Registry> {
  const registry = registryOf([dir, `${dir}-src`]);
  await putObjects(engines.sourceClient, `${dir}-src`, 6);
  await backfill(ports, registry, R2_BUCKET);

  return registry;
}

async function put(bucket: string, key: string, body: string): Promise<void> {
  await engines.sourceClient.send(
    new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }),
  );
}

describe("verify", () => {
  it("finds no difference right after a backfill", async () => {
    const registry = await mirrored("covers");

    const [result] = await verify(ports, registry, R2_BUCKET);

    expect(result).toMatchObject({ dir: "covers", same: 6, differences: [] });
  });

  it("reports missing, extra and different objects, changing nothing", async () => {
    const registry = await mirrored("posters");
    await put("posters-src", "added.txt", "new");
    await engines.sourceClient.send(
      new DeleteObjectCommand({ Bucket: "posters-src", Key: "item-1.txt" }),
    );
    // Same length as "body of item-2": only the recorded ETag tells them apart.
    await put("posters-src", "item-2.txt", "BODY OF ITEM-2");
    await put("posters-src", "item-3.txt", "a different length");
    // Same bytes under a stale record: the listing's ETags still match.
    await engines.r2Client.send(
      new PutObjectCommand({
        Bucket: R2_BUCKET,
        Key: "posters/item-4.txt",
        Body: "body of item-4",
        Metadata: { "source-etag": "stale" },
      }),
    );
    const before = engines.r2Proxy.requests.length;

    const [result] = await verify(ports, registry, R2_BUCKET);

    expect(result?.differences).toEqual([
      { kind: "missing", key: "added.txt" },
      { kind: "extra", key: "item-1.txt" },
      { kind: "different", key: "item-2.txt" },
      { kind: "different", key: "item-3.txt" },
    ]);
    expect(result?.same).toBe(3);
    const writes = engines.r2Proxy.requests
      .slice(before)
      .filter((request) => !["GET", "HEAD"].includes(request.method));
    expect(writes).toEqual([]);
  });

  it("with heads (--deep), also reports same bytes under other headers or user metadata", async () => {
    const registry = await mirrored("stills");
    const copy = (key: string) =>
      engines.r2Client.send(
        new HeadObjectCommand({ Bucket: R2_BUCKET, Key: `stills/${key}` }),
      );
    const [item0, item4, item5] = await Promise.all([
      copy("item-0.txt"),
      copy("item-4.txt"),
      copy("item-5.txt"),
    ]);
    // The same bytes (so the same MD5 ETag in the listing), rewritten with
    // another Cache-Control, an extra metadata entry and no Content-Type.
    await engines.r2Client.send(
      new PutObjectCommand({
        Bucket: R2_BUCKET,
        Key: "stills/item-5.txt",
        Body: "body of item-5",
        ContentType: item5.ContentType,
        CacheControl: "no-store",
        Metadata: item5.Metadata,
      }),
    );
    await engines.r2Client.send(
      new PutObjectCommand({
        Bucket: R2_BUCKET,
        Key: "stills/item-0.txt",
        Body: "body of item-0",
        ContentType: item0.ContentType,
        Metadata: { ...item0.Metadata, owner: "someone else" },
      }),
    );
    await engines.r2Client.send(
      new PutObjectCommand({
        Bucket: R2_BUCKET,
        Key: "stills/item-4.txt",
        Body: "body of item-4",
        Metadata: item4.Metadata,
      }),
    );

    const [shallow] = await verify(ports, registry, R2_BUCKET);
    const [deep] = await verify(ports, registry, R2_BUCKET, [], {
      heads: objectHeads(engines),
    });

    const metadataKinds = (result: typeof deep) =>
      result?.differences.filter((d) => d.kind === "metadata");
    expect(metadataKinds(shallow)).toEqual([]);
    expect(shallow?.same).toBe(6);
    expect(metadataKinds(deep)).toEqual([
      { kind: "metadata", key: "item-0.txt" },
      { kind: "metadata", key: "item-4.txt" },
      { kind: "metadata", key: "item-5.txt" },
    ]);
    expect(deep?.same).toBe(3);
  });

  it("with heads (--deep), reports a key deleted after the listing as gone, not same", async () => {
    const registry = await mirrored("reels");
    const real = objectHeads(engines);
    // Deleted between the listing and its HEAD, as in a bucket in use.
    const heads: ObjectHeads = {
      async source(bucket, key) {
        if (key === "item-3.txt") {
          await engines.sourceClient.send(
            new DeleteObjectCommand({ Bucket: bucket, Key: key }),
          );
        }
        return real.source(bucket, key);
      },
      target: (key) => real.target(key),
    };

    const results = await verify(ports, registry, R2_BUCKET, [], { heads });
    const lines: string[] = [];
    const found = printVerification(results, (line) => lines.push(line));

    expect(results[0]).toMatchObject({
      same: 5,
      gone: ["item-3.txt"],
      differences: [],
    });
    expect(found).toBe(1);
    expect(lines).toEqual([
      "reels (reels-src): 5 same, 0 differences, 1 gone during the run (verify again)",
      "  gone      reels/item-3.txt",
    ]);
  });
});
