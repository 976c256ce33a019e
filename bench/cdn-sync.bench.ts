/**
 * CDN sync benchmark (issue 3): the real sync handler (createCdnSyncHandler
 * with the production S3 source and R2 store) copies one 30 MiB and one
 * 100 MiB object between two s3rver engines, and prints the time and the
 * peak RSS increase over the handler's idle RSS, medians over BENCH_RUNS
 * runs.
 *
 * The engines run in one child process (bench/cdn-engines.ts) and every
 * run in a fresh child of this file (`--run <json>`), so each measurement
 * is one warm handler's own memory: it syncs a 10 KiB object first, so the
 * SDK, lib-storage and connections are loaded, collects garbage, takes the
 * RSS as baseline, then samples RSS every 2 ms during the copy; also the
 * memory held by Buffers. Each object is copied as deployed, and again
 * with garbage collected every 20 ms (MODES), which separates the bodies
 * the copy holds from dead Buffers V8 has not yet collected. The
 * registry and R2 keys are given in memory: reading SSM and Secrets
 * Manager is not what is measured.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import {
  DeleteObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import type { SQSEvent } from "aws-lambda";
import { s3SourceBuckets } from "../src/aws/cdn-source.ts";
import { s3Options } from "../src/aws/clients.ts";
import {
  UPLOAD_PART_BYTES,
  UPLOAD_QUEUE_SIZE,
} from "../src/cloudflare/r2-store.ts";
import { createCdnSyncHandler } from "../src/handlers/cdn-sync.ts";
import { r2StoreFor } from "../src/handlers/cdn-sync-deps.ts";
import { fixed, median, mib } from "./stats.ts";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const BUCKET = "sync-src";
const R2_BUCKET = "r2";
const WARM_UP_KEY = "warm-up.bin";
const SAMPLE_MS = 2;
/**
 * V8 frees a dead Buffer only when it collects garbage, and it waits until
 * tens of MiB of them pile up; collecting every 20 ms shows the memory the
 * copy actually holds, at some cost in speed.
 */
const MODES = [
  { name: "as deployed", gcMs: 0 },
  { name: "gc every 20 ms", gcMs: 20 },
];
const OBJECTS = [
  { name: "30 MiB", key: "object-30.bin", size: 30 * 1024 * 1024 },
  { name: "100 MiB", key: "object-100.bin", size: 100 * 1024 * 1024 },
];

interface RunArgs {
  readonly source: string;
  readonly r2: string;
  readonly key: string;
  readonly dir: string;
  /** When above 0, garbage is collected this often during the copy. */
  readonly gcMs: number;
}

interface RunResult {
  readonly seconds: number;
  readonly baselineRssBytes: number;
  readonly peakRssBytes: number;
  /** Peak of Buffers and ArrayBuffers alive, over their baseline. */
  readonly peakBuffersBytes: number;
  readonly outcomes: string[];
}

const runIndex = process.argv.indexOf("--run");
if (runIndex >= 0) {
  await runOnce(JSON.parse(process.argv[runIndex + 1] ?? "{}") as RunArgs);
} else {
  await benchmark();
}

/** Parent: engines, seed, one child per run, the table. */
async function benchmark(): Promise<void> {
  const engines = spawn(
    process.execPath,
    [
      "--openssl-legacy-provider",
      "--import",
      "tsx",
      fileURLToPath(new URL("cdn-engines.ts", import.meta.url)),
      BUCKET,
    ],
    { stdio: ["pipe", "pipe", "inherit"] },
  );
  try {
    const endpoints = JSON.parse(await firstLine(engines)) as {
      source: string;
      r2: string;
    };
    const source = new S3Client(s3Options("us-east-1", endpoints.source));
    const r2 = new S3Client(s3Options("us-east-1", endpoints.r2));
    await seed(source, WARM_UP_KEY, 10 * 1024);
    for (const object of OBJECTS) await seed(source, object.key, object.size);

    console.log(
      `sync handler, multipart in ${mib(UPLOAD_PART_BYTES)} MiB parts, ${UPLOAD_QUEUE_SIZE} in flight; ${RUNS} runs per object, medians`,
    );
    console.log(
      "object | seconds | MiB/s | peak RSS increase MiB | peak buffers MiB | idle RSS MiB | each run: s / +RSS MiB",
    );
    for (const object of OBJECTS) {
      for (const mode of MODES) {
        const runs: RunResult[] = [];
        for (let run = 1; run <= RUNS; run += 1) {
          const dir = `run-${run}`;
          const args = { ...endpoints, key: object.key, dir, gcMs: mode.gcMs };
          runs.push(await spawnRun(args));
          await r2.send(
            new DeleteObjectCommand({
              Bucket: R2_BUCKET,
              Key: `${dir}/${object.key}`,
            }),
          );
        }
        report(`${object.name}, ${mode.name}`, object.size, runs);
      }
    }
  } finally {
    engines.stdin?.end();
  }
}

async function spawnRun(args: RunArgs): Promise<RunResult> {
  const child = spawn(
    process.execPath,
    [
      "--openssl-legacy-provider",
      "--expose-gc",
      "--import",
      "tsx",
      fileURLToPath(import.meta.url),
      "--run",
      JSON.stringify(args),
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const result = JSON.parse(await firstLine(child)) as RunResult;
  if (result.outcomes.join() !== "copied") {
    throw new Error(`the sync did not copy ${args.key}: ${result.outcomes}`);
  }

  return result;
}

function report(name: string, size: number, runs: RunResult[]): void {
  const seconds = median(runs.map((run) => run.seconds));
  const increase = median(
    runs.map((run) => run.peakRssBytes - run.baselineRssBytes),
  );
  const idle = median(runs.map((run) => run.baselineRssBytes));
  const buffers = median(runs.map((run) => run.peakBuffersBytes));
  const each = runs
    .map(
      (run) =>
        `${fixed(run.seconds, 2)} / +${fixed(mib(run.peakRssBytes - run.baselineRssBytes), 0)}`,
    )
    .join(", ");
  console.log(
    `${name} | ${fixed(seconds, 2)} | ${fixed(mib(size) / seconds, 0)} | ${fixed(mib(increase), 0)} | ${fixed(mib(buffers), 0)} | ${fixed(mib(idle), 0)} | ${each}`,
  );
}

/** Child: one warm handler, one measured copy, one JSON line. */
async function runOnce(args: RunArgs): Promise<void> {
  const outcomes: string[] = [];
  const quiet = () => {};
  const handler = createCdnSyncHandler({
    registry: {
      load: async () => [
        { dir: args.dir, bucket: BUCKET, parameter: `/cdn-bucket/${args.dir}` },
      ],
    },
    source: s3SourceBuckets(new S3Client(s3Options("us-east-1", args.source))),
    r2: r2StoreFor(
      { CDN_R2_BUCKET: R2_BUCKET, CDN_R2_ENDPOINT: args.r2 },
      async () => ({
        accountId: "bench",
        r2AccessToken: "bench",
        r2AccessKeyId: "S3RVER",
        r2SecretAccessKey: "S3RVER",
      }),
    ),
    cdnBaseUrl: "https://cdn.bench.invalid",
    logger: {
      info: (message, attributes) => {
        if (message === "cdn object synced" && attributes.key === args.key) {
          outcomes.push(String(attributes.outcome));
        }
      },
      warn: quiet,
      error: (message, attributes) => console.error(message, attributes),
    },
    metrics: { count: quiet, publish: quiet },
  });

  await handler(sqsEventFor(WARM_UP_KEY));
  globalThis.gc?.();
  const baseline = process.memoryUsage();
  let peakRssBytes = baseline.rss;
  let peakBuffersBytes = 0;
  const sample = () => {
    const now = process.memoryUsage();
    peakRssBytes = Math.max(peakRssBytes, now.rss);
    peakBuffersBytes = Math.max(
      peakBuffersBytes,
      now.arrayBuffers - baseline.arrayBuffers,
    );
  };
  const sampler = setInterval(sample, SAMPLE_MS);
  const collector =
    args.gcMs > 0 ? setInterval(() => globalThis.gc?.(), args.gcMs) : undefined;

  const started = performance.now();
  await handler(sqsEventFor(args.key));
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  clearInterval(collector);
  sample();

  const result: RunResult = {
    seconds,
    baselineRssBytes: baseline.rss,
    peakRssBytes,
    peakBuffersBytes,
    outcomes,
  };
  console.log(JSON.stringify(result));
  process.exit(0);
}

/** The SQS event Lambda would deliver for an Object Created in BUCKET. */
function sqsEventFor(key: string): SQSEvent {
  const event = {
    version: "0",
    id: randomUUID(),
    "detail-type": "Object Created",
    source: "aws.s3",
    time: new Date().toISOString(),
    region: "us-east-1",
    detail: { bucket: { name: BUCKET }, object: { key } },
  };

  return {
    Records: [
      {
        messageId: randomUUID(),
        receiptHandle: "bench",
        body: JSON.stringify(event),
        attributes: {
          ApproximateReceiveCount: "1",
          SentTimestamp: String(Date.now()),
          SenderId: "events.amazonaws.com",
          ApproximateFirstReceiveTimestamp: String(Date.now()),
        },
        messageAttributes: {},
        md5OfBody: "",
        eventSource: "aws:sqs",
        eventSourceARN: "arn:aws:sqs:us-east-1:000000000000:cdn",
        awsRegion: "us-east-1",
      },
    ],
  };
}

async function seed(source: S3Client, key: string, size: number) {
  const body = Buffer.alloc(size);
  for (let i = 0; i < size; i += 1) body[i] = (i * 31 + 7) % 251;
  await source.send(
    new PutObjectCommand({
      Bucket: BUCKET,
      Key: key,
      Body: body,
      ContentType: "application/octet-stream",
    }),
  );
  const head = await source.send(
    new HeadObjectCommand({ Bucket: BUCKET, Key: key }),
  );
  if (head.ContentLength !== size) throw new Error(`seeding ${key} failed`);
}

async function firstLine(child: ChildProcess): Promise<string> {
  if (!child.stdout) throw new Error("child has no stdout");
  const lines = createInterface({ input: child.stdout });
  for await (const line of lines) {
    if (line.startsWith("{")) return line;
  }
  throw new Error("child exited without a result line");
}
