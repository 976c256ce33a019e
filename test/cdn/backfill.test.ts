import { createHash } from "node:crypto";
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { BulkCopier } from "../../src/aws/bulk-copier.ts";
import { bulkEndpointOf } from "../../src/aws/bulk-endpoint.ts";
import { S3ObjectListing } from "../../src/aws/bulk-listing.ts";
import { s3Options } from "../../src/aws/clients.ts";
import { backfill } from "../../src/cdn/backfill.ts";
import type { BackfillPorts } from "../../src/cdn/backfill-ports.ts";
import { needsAttention } from "../../src/cdn/backfill-summary.ts";
import {
  type CdnEngines,
  R2_BUCKET,
  startCdnEngines,
} from "../support/cdn-engines.ts";
import {
  backfillPorts,
  putObjects,
  r2Puts,
  registryOf,
} from "./backfill-fixture.ts";

const BUCKETS = [
  "covers-src",
  "posters-src",
  "shots-src",
  "big-src",
  "gone-src",
  "stubborn-src",
  "after-src",
];
let engines: CdnEngines;
let ports: BackfillPorts;

beforeAll(async () => {
  engines = await startCdnEngines(BUCKETS);
  ports = await backfillPorts(engines);
});
afterAll(async () => {
  await engines?.stop();
});
beforeEach(() => {
  engines.r2Proxy.requests.length = 0;
});

async function r2Keys(dir: string): Promise<string[]> {
  const page = await engines.r2Client.send(
    new ListObjectsV2Command({ Bucket: R2_BUCKET, Prefix: `${dir}/` }),
  );
  return (page.Contents ?? []).map((object) => object.Key ?? "").sort();
}

describe("backfill", () => {
  it("copies bytes, headers and user metadata, and records the source ETag", async () => {
    const keys = ["red flower.jpg", "a+b.png", "100%.txt", "ümlaut/ß 🎉.txt"];
    for (const key of keys) {
      await engines.sourceClient.send(
        new PutObjectCommand({
          Bucket: "covers-src",
          Key: key,
          Body: `bytes of ${key}`,
          ContentType: "image/png",
          CacheControl: "public, max-age=60",
          ContentDisposition: 'inline; filename="x.png"',
          ContentEncoding: "identity",
          ContentLanguage: "en",
          Metadata: { owner: "anime-team" },
        }),
      );
    }

    const [summary] = await backfill(
      ports,
      registryOf(["covers", "covers-src"]),
      R2_BUCKET,
    );

    expect(summary).toMatchObject({ copied: 4, unchanged: 0, failures: [] });
    for (const key of keys) {
      const source = await engines.sourceClient.send(
        new HeadObjectCommand({ Bucket: "covers-src", Key: key }),
      );
      const copy = await engines.r2Client.send(
        new GetObjectCommand({ Bucket: R2_BUCKET, Key: `covers/${key}` }),
      );
      expect(await copy.Body?.transformToString()).toBe(`bytes of ${key}`);
      expect(copy).toMatchObject({
        ContentType: "image/png",
        CacheControl: "public, max-age=60",
        ContentDisposition: 'inline; filename="x.png"',
        ContentEncoding: "identity",
        ContentLanguage: "en",
      });
      expect(copy.Metadata).toEqual({
        owner: "anime-team",
        "source-etag": source.ETag?.replaceAll('"', ""),
      });
    }
  });

  it("copies only what is missing or changed when run again", async () => {
    await putObjects(engines.sourceClient, "posters-src", 5);
    const registry = registryOf(["posters", "posters-src"]);
    await backfill(ports, registry, R2_BUCKET);
    engines.r2Proxy.requests.length = 0;

    const [again] = await backfill(ports, registry, R2_BUCKET);
    expect(again).toMatchObject({ copied: 0, unchanged: 5 });
    expect(r2Puts(engines, "posters")).toBe(0);

    await putObjects(engines.sourceClient, "posters-src", 1, "new-");
    await engines.sourceClient.send(
      new PutObjectCommand({
        Bucket: "posters-src",
        Key: "item-0.txt",
        Body: "changed, and longer than before",
      }),
    );
    const [third] = await backfill(ports, registry, R2_BUCKET);

    expect(third).toMatchObject({ copied: 2, unchanged: 4 });
    expect(r2Puts(engines, "posters")).toBe(2);
  });

  it("copies a large object in parts, intact, and leaves it alone afterwards", async () => {
    const body = Buffer.alloc(20 * 1024 * 1024 + 123);
    for (let i = 0; i < body.length; i += 4096) body[i] = i % 251;
    await engines.sourceClient.send(
      new PutObjectCommand({ Bucket: "big-src", Key: "movie.bin", Body: body }),
    );
    const registry = registryOf(["big", "big-src"]);
    const multipart = await backfillPorts(engines, {
      multipartThreshold: 16 * 1024 * 1024,
    });

    const [first] = await backfill(multipart, registry, R2_BUCKET);
    const copy = await engines.r2Client.send(
      new GetObjectCommand({ Bucket: R2_BUCKET, Key: "big/movie.bin" }),
    );
    const copied = Buffer.from((await copy.Body?.transformToByteArray()) ?? []);
    const partPuts = engines.r2Proxy.requests.filter(
      (request) =>
        request.method === "PUT" && request.query.includes("partNumber"),
    );
    engines.r2Proxy.requests.length = 0;
    const [second] = await backfill(multipart, registry, R2_BUCKET);

    expect(first).toMatchObject({ copied: 1, bytes: body.length });
    expect(sha256(copied)).toBe(sha256(body));
    expect(partPuts).toHaveLength(3);
    expect(second).toMatchObject({ copied: 0, unchanged: 1 });
    expect(r2Puts(engines, "big")).toBe(0);
  });

  it("reports a copy that keeps failing and flags the run", async () => {
    await putObjects(engines.sourceClient, "shots-src", 2, "fail-");
    const working = await backfillPorts(engines);
    const unreachable = await bulkEndpointOf(
      new S3Client(s3Options("us-east-1", "http://127.0.0.1:1")),
    );
    const broken: BackfillPorts = {
      ...working,
      copier: new BulkCopier({
        sourceFor: () => bulkEndpointOf(engines.sourceClient),
        target: unreachable,
        targetBucket: R2_BUCKET,
      }),
    };

    const summaries = await backfill(
      broken,
      registryOf(["shots", "shots-src"]),
      R2_BUCKET,
    );

    expect(summaries[0]?.failures).toHaveLength(2);
    expect(summaries[0]?.failures[0]?.message).toContain("ECONNREFUSED");
    expect(needsAttention(summaries)).toBe(true);
    expect(await r2Keys("shots")).toEqual([]);
  });

  it("skips an object deleted from the source after it was listed", async () => {
    await putObjects(engines.sourceClient, "gone-src", 2, "gone-");
    const vanishing: BackfillPorts = {
      ...ports,
      source: {
        exists: (bucket, key) => ports.source.exists(bucket, key),
        async *list(bucket, prefix) {
          yield* ports.source.list(bucket, prefix);
          await deleteSource("gone-src", ["gone-0.txt"]);
        },
      },
    };

    const [summary] = await backfill(
      vanishing,
      registryOf(["gone", "gone-src"]),
      R2_BUCKET,
      { dirs: ["gone"] },
    );

    expect(summary).toMatchObject({ vanished: 1, failures: [] });
    expect(await r2Keys("gone")).toContain("gone/gone-1.txt");
    expect(await r2Keys("gone")).not.toContain("gone/gone-0.txt");
  });

  it("rejects an unknown directory, naming the registered ones", async () => {
    const run = backfill(
      ports,
      registryOf(["covers", "covers-src"]),
      R2_BUCKET,
      {
        dirs: ["nope"],
      },
    );

    await expect(run).rejects.toThrow(/nope.*registered directories: covers/);
  });
});

describe("backfill with deletion", () => {
  const registry = registryOf(["shots", "shots-src"]);

  it("removes R2 objects without a source within the cap, and refuses above it", async () => {
    await clearBucket("shots-src");
    await putObjects(engines.sourceClient, "shots-src", 10);
    await backfill(ports, registry, R2_BUCKET, { delete: true });
    await deleteSource("shots-src", ["item-0.txt"]);

    const [withinCap] = await backfill(ports, registry, R2_BUCKET, {
      delete: true,
    });
    expect(withinCap).toMatchObject({ deleted: 1, deleteCap: 1 });
    expect(await r2Keys("shots")).not.toContain("shots/item-0.txt");

    await deleteSource("shots-src", ["item-1.txt", "item-2.txt", "item-3.txt"]);
    const [refused] = await backfill(ports, registry, R2_BUCKET, {
      delete: true,
    });
    expect(refused).toMatchObject({
      deleted: 0,
      toDelete: 3,
      deleteCap: 0,
      deleteRefused: true,
    });
    expect(refused && needsAttention([refused])).toBe(true);
    expect(await r2Keys("shots")).toHaveLength(9);

    const [raised] = await backfill(ports, registry, R2_BUCKET, {
      delete: true,
      maxDelete: 3,
    });
    expect(raised).toMatchObject({ deleted: 3, deleteRefused: false });
    expect(await r2Keys("shots")).toHaveLength(6);
  });

  it("deletes over the cap when forced", async () => {
    await deleteSource("shots-src", ["item-4.txt", "item-5.txt"]);

    const [forced] = await backfill(ports, registry, R2_BUCKET, {
      delete: true,
      forceDelete: true,
    });

    expect(forced).toMatchObject({ deleted: 2, deleteCap: 0 });
    expect(await r2Keys("shots")).toHaveLength(4);
  });

  it("keeps an R2 object whose source appeared after the listing", async () => {
    await putObjects(engines.sourceClient, "shots-src", 1, "late-");
    await backfill(ports, registry, R2_BUCKET);
    const staleListing: BackfillPorts = {
      ...ports,
      source: {
        exists: (bucket, key) => ports.source.exists(bucket, key),
        async *list(bucket, prefix) {
          for await (const page of ports.source.list(bucket, prefix)) {
            yield page.filter((object) => object.key !== "late-0.txt");
          }
        },
      },
    };

    const [summary] = await backfill(staleListing, registry, R2_BUCKET, {
      delete: true,
      forceDelete: true,
    });

    expect(summary).toMatchObject({ toDelete: 1, deleted: 0, failures: [] });
    expect(await r2Keys("shots")).toContain("shots/late-0.txt");
  });

  it("keeps extra objects when deletion is not asked for", async () => {
    await deleteSource("shots-src", ["item-6.txt"]);

    const [kept] = await backfill(ports, registry, R2_BUCKET);

    expect(kept).toMatchObject({ deleted: 0, toDelete: 0 });
    expect(await r2Keys("shots")).toContain("shots/item-6.txt");
  });
});

describe("a failure in one directory", () => {
  it("a bucket that does not exist fails its directory; the next one still runs", async () => {
    await putObjects(engines.sourceClient, "after-src", 2);
    const registry = registryOf(
      ["ghosts", "ghost-src"],
      ["after", "after-src"],
    );

    const summaries = await backfill(ports, registry, R2_BUCKET);

    expect(summaries).toMatchObject([
      {
        dir: "ghosts",
        copied: 0,
        error: "Could not list ghost-src: NoSuchBucket",
      },
      { dir: "after", copied: 2, failures: [] },
    ]);
    expect(summaries[1]?.error).toBeUndefined();
    expect(needsAttention(summaries)).toBe(true);
    expect(await r2Keys("after")).toHaveLength(2);
  });

  it("keeps an extra whose source cannot be re-checked, and fails only that directory", async () => {
    await putObjects(engines.sourceClient, "stubborn-src", 2);
    await engines.r2Client.send(
      new PutObjectCommand({
        Bucket: R2_BUCKET,
        Key: "stubborn/orphan.txt",
        Body: "no source",
      }),
    );
    // s3rver answers 403 InvalidAccessKeyId to a key it does not know.
    const denied = new S3ObjectListing(
      () =>
        new S3Client({
          ...s3Options("us-east-1", engines.source.endpoint),
          credentials: { accessKeyId: "REVOKED", secretAccessKey: "x" },
        }),
    );
    const recheckDenied: BackfillPorts = {
      ...ports,
      source: {
        list: (bucket, prefix, signal) =>
          ports.source.list(bucket, prefix, signal),
        exists: (bucket, key) => denied.exists(bucket, key),
      },
    };
    await putObjects(engines.sourceClient, "after-src", 1, "more-");
    const registry = registryOf(
      ["stubborn", "stubborn-src"],
      ["after", "after-src"],
    );

    const [stubborn, after] = await backfill(
      recheckDenied,
      registry,
      R2_BUCKET,
      { delete: true, maxDelete: 5 },
    );

    expect(stubborn).toMatchObject({ copied: 2, deleted: 0 });
    expect(stubborn?.failures).toEqual([
      {
        key: "orphan.txt",
        action: "delete",
        message: expect.stringMatching(
          /^kept: the source could not be re-checked: Could not read stubborn-src\/orphan.txt/,
        ),
      },
    ]);
    expect(await r2Keys("stubborn")).toContain("stubborn/orphan.txt");
    expect(after).toMatchObject({ copied: 1, failures: [] });
  });
});

async function deleteSource(bucket: string, keys: string[]): Promise<void> {
  for (const key of keys) {
    await engines.sourceClient.send(
      new DeleteObjectCommand({ Bucket: bucket, Key: key }),
    );
  }
}

async function clearBucket(bucket: string): Promise<void> {
  const page = await engines.sourceClient.send(
    new ListObjectsV2Command({ Bucket: bucket }),
  );
  await deleteSource(
    bucket,
    (page.Contents ?? []).map((object) => object.Key ?? ""),
  );
}

function sha256(data: Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}
