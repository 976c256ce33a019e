import { ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3";
import { CreateQueueCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { SQSBatchResponse } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  listSourcePage,
  sendHints,
  sendPageRequest,
} from "../../src/aws/bulk-page-queue.ts";
import { s3SourceBuckets } from "../../src/aws/cdn-source.ts";
import { clientOptions } from "../../src/aws/clients.ts";
import { parseS3EventBody } from "../../src/cdn/s3-event.ts";
import { r2MirrorStore } from "../../src/cloudflare/r2-store.ts";
import { createBackfillPageHandler } from "../../src/handlers/cdn-backfill-page.ts";
import { createCdnSyncHandler } from "../../src/handlers/cdn-sync.ts";
import { startFauxqs } from "../../src/local/engines/fauxqs.ts";
import type { Engine } from "../../src/local/engines/types.ts";
import {
  type CdnEngines,
  R2_BUCKET,
  startCdnEngines,
} from "../support/cdn-engines.ts";
import { cdnRecorders } from "../support/cdn-events.ts";
import {
  deleteSucceeded,
  receiveEvent,
  sqsRecord,
} from "../support/sqs-events.ts";
import { registryOf } from "./backfill-fixture.ts";

/** Small pages, so five objects take three pages. */
const PAGE_SIZE = 2;
const KEYS = [
  "a.txt",
  "red flower.jpg",
  "a+b/100%.png",
  "ümlaut/ß.txt",
  "z.txt",
];
const registry = registryOf(["covers", "covers-src"]);

let engines: CdnEngines;
let fauxqs: Engine;
let sqs: SQSClient;
let cdnQueue: string;
let pageQueue: string;
const recorders = cdnRecorders();

beforeAll(async () => {
  engines = await startCdnEngines(["covers-src", "other-src"]);
  fauxqs = await startFauxqs();
  sqs = new SQSClient(clientOptions("us-east-1", fauxqs.endpoint));
  cdnQueue = await createQueue("cdn");
  pageQueue = await createQueue("cdn-backfill.fifo", {
    FifoQueue: "true",
  });
  for (const key of KEYS) {
    await engines.sourceClient.send(
      new PutObjectCommand({ Bucket: "covers-src", Key: key, Body: key }),
    );
  }
});
afterAll(async () => {
  await Promise.all([engines?.stop(), fauxqs?.stop()]);
});

async function createQueue(
  name: string,
  Attributes?: Record<string, string>,
): Promise<string> {
  const created = await sqs.send(
    new CreateQueueCommand({ QueueName: name, Attributes }),
  );
  return created.QueueUrl ?? "";
}

const pageHandler = createBackfillPageHandler(
  {
    registry: { load: async () => registry },
    listPage: (bucket, token) =>
      listSourcePage(engines.sourceClient, bucket, token, PAGE_SIZE),
    sendHints: (events) => sendHints(sqs, cdnQueue, events),
    sendPageRequest: (request) => sendPageRequest(sqs, pageQueue, request),
  },
  recorders.logger,
);

/** Plays the event source mapping: feeds `queueUrl` to `handle` until empty. */
async function drain(
  queueUrl: string,
  handle: (
    event: Awaited<ReturnType<typeof receiveEvent>>["event"],
  ) => Promise<unknown>,
): Promise<string[]> {
  const bodies: string[] = [];
  for (;;) {
    const { event, receipts } = await receiveEvent(sqs, queueUrl, {
      waitSeconds: 0,
    });
    if (event.Records.length === 0) return bodies;
    bodies.push(...event.Records.map((record) => record.body));
    const result = (await handle(event)) as SQSBatchResponse | undefined;
    const failed = (result?.batchItemFailures ?? []).map(
      (f) => f.itemIdentifier,
    );
    await deleteSucceeded(sqs, queueUrl, receipts, failed);
  }
}

describe("remote backfill pages", () => {
  it("walks every page and queues one sync hint per object", async () => {
    await sendPageRequest(sqs, pageQueue, {
      kind: "cdn-backfill-page",
      dir: "covers",
      bucket: "covers-src",
      runId: "run-1",
    });

    const pages = await drain(pageQueue, pageHandler);
    const hints = await drain(cdnQueue, async () => undefined);

    expect(pages).toHaveLength(3);
    expect(hints.map((body) => parseS3EventBody(body).key).sort()).toEqual(
      [...KEYS].sort(),
    );
    expect(parseS3EventBody(hints[0] ?? "")).toMatchObject({
      detailType: "Object Created",
      bucket: "covers-src",
    });
    const logged = recorders.lines.filter(
      (l) => l.message === "cdn backfill page",
    );
    expect(logged.map((l) => l.attributes.hints)).toEqual([2, 2, 1]);
  });

  it("hints the sync handler follows, so R2 ends up with every object", async () => {
    const sync = createCdnSyncHandler({
      registry: { load: async () => registry },
      source: s3SourceBuckets(engines.sourceClient),
      r2: async () => r2MirrorStore(engines.r2Client, R2_BUCKET),
      cdnBaseUrl: "https://cdn.example.com",
      logger: recorders.logger,
      metrics: recorders.metrics,
    });
    await sendPageRequest(sqs, pageQueue, {
      kind: "cdn-backfill-page",
      dir: "covers",
      bucket: "covers-src",
      runId: "run-2",
    });

    await drain(pageQueue, pageHandler);
    await drain(cdnQueue, (event) => sync(event));
    const listed = await engines.r2Client.send(
      new ListObjectsV2Command({ Bucket: R2_BUCKET, Prefix: "covers/" }),
    );

    expect((listed.Contents ?? []).map((o) => o.Key).sort()).toEqual(
      KEYS.map((key) => `covers/${key}`).sort(),
    );
  });

  it("drops a malformed page request with a log line instead of retrying it", async () => {
    const result = await pageHandler({
      Records: [
        sqsRecord("not json", "bad-1"),
        sqsRecord('{"dir":"covers"}', "bad-2"),
      ],
    });

    expect(result).toEqual({ batchItemFailures: [] });
    const invalid = recorders.lines.filter(
      (l) => l.message === "cdn backfill page request invalid",
    );
    expect(invalid.map((l) => l.attributes.messageId)).toEqual([
      "bad-1",
      "bad-2",
    ]);
  });

  it("retries a failed page and every page queued after it, in order", async () => {
    const failing = createBackfillPageHandler(
      {
        registry: { load: async () => registry },
        listPage: () => Promise.reject(new Error("ListObjectsV2 throttled")),
        sendHints: async () => {},
        sendPageRequest: async () => {},
      },
      recorders.logger,
    );
    const page = (runId: string, bucket = "covers-src") =>
      JSON.stringify({
        kind: "cdn-backfill-page",
        dir: "covers",
        bucket,
        runId,
      });

    const result = await failing({
      Records: [
        sqsRecord(page("r1", "other-src"), "first"),
        sqsRecord(page("r2"), "second"),
        sqsRecord(page("r3", "other-src"), "third"),
      ],
    });

    expect(result).toEqual({
      batchItemFailures: [
        { itemIdentifier: "second" },
        { itemIdentifier: "third" },
      ],
    });
  });

  it("ignores a page request for a bucket not registered under its directory", async () => {
    const outcome = await pageHandler({
      kind: "cdn-backfill-page",
      dir: "covers",
      bucket: "other-src",
      runId: "run-3",
    });

    expect(outcome).toMatchObject({ outcome: "unregistered", hints: 0 });
    expect(await drain(cdnQueue, async () => undefined)).toEqual([]);
  });
});
