import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
} from "@aws-sdk/client-s3";
import type { SQSBatchResponse } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SOURCE_ETAG_METADATA } from "../../src/cdn/types.ts";
import {
  type CdnEngines,
  R2_BUCKET,
  startCdnEngines,
} from "../support/cdn-engines.ts";
import {
  cdnS3Event,
  cdnSqsEvent,
  cdnSqsRecord,
  type DetailType,
} from "../support/cdn-events.ts";
import { cdnSyncUnderTest } from "../support/cdn-sync-deps.ts";

const BUCKET = "anime-assets";
const OTHER = "not-registered";

let engines: CdnEngines;
let sync: ReturnType<typeof cdnSyncUnderTest>;

beforeAll(async () => {
  engines = await startCdnEngines([BUCKET, OTHER]);
  await engines.register("anime/covers", BUCKET);
  await engines.storeR2Secret();
  sync = cdnSyncUnderTest(engines);
});

afterAll(async () => {
  await engines?.stop();
});

const put = (key: string, body: string) =>
  engines.sourceClient.send(
    new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }),
  );
const remove = (key: string) =>
  engines.sourceClient.send(
    new DeleteObjectCommand({ Bucket: BUCKET, Key: key }),
  );

async function r2Text(key: string): Promise<string | undefined> {
  try {
    const output = await engines.r2Client.send(
      new GetObjectCommand({ Bucket: R2_BUCKET, Key: `anime/covers/${key}` }),
    );
    return await output.Body?.transformToString();
  } catch (error) {
    if ((error as Error).name === "NoSuchKey") return undefined;
    throw error;
  }
}

async function sourceText(key: string): Promise<string | undefined> {
  try {
    const output = await engines.sourceClient.send(
      new GetObjectCommand({ Bucket: BUCKET, Key: key }),
    );
    return await output.Body?.transformToString();
  } catch (error) {
    if ((error as Error).name === "NoSuchKey") return undefined;
    throw error;
  }
}

/** Runs one SQS batch of events; returns the failed message ids. */
async function deliver(
  ...events: Array<[DetailType, string] | { raw: unknown }>
): Promise<{ failed: string[]; ids: string[] }> {
  const records = events.map((event) =>
    cdnSqsRecord(
      "raw" in event ? event.raw : cdnS3Event(event[0], BUCKET, event[1]),
    ),
  );
  const response = (await sync.handler(
    cdnSqsEvent(records),
  )) as SQSBatchResponse;

  return {
    failed: response.batchItemFailures.map((item) => item.itemIdentifier),
    ids: records.map((record) => record.messageId),
  };
}

describe("cdn-sync handler", () => {
  it("mirrors created, overwritten and deleted objects", async () => {
    await put("life.txt", "v1");
    expect((await deliver(["Object Created", "life.txt"])).failed).toEqual([]);
    expect(await r2Text("life.txt")).toBe("v1");

    await put("life.txt", "v2");
    await deliver(["Object Created", "life.txt"]);
    expect(await r2Text("life.txt")).toBe("v2");

    await remove("life.txt");
    await deliver(["Object Deleted", "life.txt"]);
    expect(await r2Text("life.txt")).toBeUndefined();
    expect(sync.counts.get("ObjectCopied")).toBe(2);
    expect(sync.counts.get("ObjectDeleted")).toBe(1);
  });

  it("decodes event keys with spaces, '+', '%', unicode and nested paths", async () => {
    const keys = [
      "red flower.jpg",
      "c++/a+b.txt",
      "100% real.txt",
      "東京/カバー é.png",
      "a/b/c/d/e.txt",
    ];
    for (const key of keys) await put(key, `body ${key}`);

    const { failed } = await deliver(
      ...keys.map((key) => ["Object Created", key] as [DetailType, string]),
    );

    expect(failed).toEqual([]);
    for (const key of keys) expect(await r2Text(key)).toBe(`body ${key}`);
  });

  it("does not copy again on a duplicate event", async () => {
    await put("dup.txt", "once");
    await deliver(["Object Created", "dup.txt"]);
    const puts = engines.r2Proxy.count("PUT");

    await deliver(["Object Created", "dup.txt"], ["Object Created", "dup.txt"]);

    expect(engines.r2Proxy.count("PUT")).toBe(puts);
    const head = await engines.r2Client.send(
      new HeadObjectCommand({ Bucket: R2_BUCKET, Key: "anime/covers/dup.txt" }),
    );
    expect(head.Metadata?.[SOURCE_ETAG_METADATA]).toMatch(/^[0-9a-f]{32}$/);
  });

  const EVENTS: DetailType[] = [
    "Object Created",
    "Object Created",
    "Object Deleted",
  ];
  const ORDERS = [
    [0, 1, 2],
    [0, 2, 1],
    [1, 0, 2],
    [1, 2, 0],
    [2, 0, 1],
    [2, 1, 0],
  ];
  const ENDINGS = {
    // create v1, overwrite v2, delete: the object is gone.
    deleted: async (key: string) => {
      await put(key, "v1");
      await put(key, "v2");
      await remove(key);
    },
    // create v1, delete, create v2 again: the object exists as v2.
    recreated: async (key: string) => {
      await put(key, "v1");
      await remove(key);
      await put(key, "v2");
    },
  };

  for (const [ending, history] of Object.entries(ENDINGS)) {
    it.each(ORDERS)(
      `ends equal to the source (${ending}) for event order %i %i %i`,
      async (...order) => {
        const key = `order-${ending}-${order.join("")}.txt`;
        // An early event sees an intermediate state, a late one the final.
        await put(key, "v0");
        await deliver([EVENTS[order[0] ?? 0] ?? "Object Created", key]);
        await history(key);
        for (const index of order.slice(1)) {
          await deliver([EVENTS[index] ?? "Object Created", key]);
        }

        expect(await r2Text(key)).toBe(await sourceText(key));
      },
    );
  }

  it("logs and skips events of unregistered buckets", async () => {
    sync.reset();
    const response = (await sync.handler(
      cdnSqsEvent([cdnSqsRecord(cdnS3Event("Object Created", OTHER, "x.txt"))]),
    )) as SQSBatchResponse;

    expect(response.batchItemFailures).toEqual([]);
    expect(sync.counts.get("UnregisteredBucket")).toBe(1);
    expect(sync.lines).toContainEqual(
      expect.objectContaining({
        level: "info",
        message: "cdn event ignored: bucket not registered",
        attributes: expect.objectContaining({ bucket: OTHER }),
      }),
    );
  });

  it("re-reads a stale registry before ignoring a bucket", async () => {
    const requests: boolean[] = [];
    const stale = cdnSyncUnderTest(engines, {
      registry: {
        async load(options) {
          requests.push(options?.fresh === true);
          return options?.fresh
            ? [{ dir: "anime/covers", bucket: BUCKET, parameter: "p" }]
            : [];
        },
      },
    });
    await put("fresh.txt", "new bucket");

    const result = await stale.handler(
      cdnS3Event("Object Created", BUCKET, "fresh.txt"),
    );

    expect(result).toEqual({ outcome: "copied" });
    expect(requests).toEqual([false, true]);
  });

  it("refuses unusable keys with a warning and a metric, without retry", async () => {
    sync.reset();
    const { failed } = await deliver(
      ["Object Created", "a//b.txt"],
      ["Object Created", "../escape.txt"],
      ["Object Created", "k".repeat(1100)],
    );

    expect(failed).toEqual([]);
    expect(sync.counts.get("RefusedKey")).toBe(3);
    expect(sync.lines.filter((line) => line.level === "warn")).toHaveLength(3);
  });

  it("fails malformed records clearly and still syncs the others", async () => {
    sync.reset();
    await put("good.txt", "good");
    const noKey = cdnS3Event("Object Created", BUCKET, "x");
    (noKey.detail as { object: object }).object = {};

    const { failed, ids } = await deliver(
      { raw: "{not json" },
      { raw: noKey },
      { raw: { ...noKey, detail: undefined } },
      {
        raw: {
          ...cdnS3Event("Object Created", BUCKET, "x"),
          source: "aws.ec2",
        },
      },
      ["Object Created", "good.txt"],
    );

    expect(failed).toEqual(ids.slice(0, 4));
    expect(await r2Text("good.txt")).toBe("good");
    const reasons = sync.lines
      .filter((line) => line.level === "error")
      .map((line) => line.attributes.reason);
    expect(reasons).toEqual([
      "The message body is not JSON",
      "detail.object.key is missing",
      "detail is missing or not an object",
      'The event\'s source is "aws.ec2", not "aws.s3"',
    ]);
  });

  it("fails a record whose key is not valid URL encoding", async () => {
    const event = cdnS3Event("Object Created", BUCKET, "x");
    (event.detail as { object: { key: string } }).object.key = "100%.txt";

    const { failed } = await deliver({ raw: event });

    expect(failed).toHaveLength(1);
  });

  it("accepts a bare EventBridge event", async () => {
    await put("bare.txt", "bare");

    const result = await sync.handler(
      cdnS3Event("Object Created", BUCKET, "bare.txt"),
    );

    expect(result).toEqual({ outcome: "copied" });
    expect(await r2Text("bare.txt")).toBe("bare");
    await expect(sync.handler({ source: "aws.s3" })).rejects.toThrow(
      /detail-type is missing/,
    );
  });
});
