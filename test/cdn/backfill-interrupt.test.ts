/**
 * Stopping a backfill (Ctrl-C in the CLI): `stop` lets the copies in
 * flight finish and starts nothing new; `signal` cuts off what is in
 * flight. R2 PUTs are held at the counting proxy so that copies are
 * reliably in flight when the signal comes.
 */
import { EventEmitter } from "node:events";
import { ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3";
import {
  afterAll,
  afterEach,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it,
} from "vitest";
import { backfill } from "../../src/cdn/backfill.ts";
import type { BackfillPorts } from "../../src/cdn/backfill-ports.ts";
import { needsAttention } from "../../src/cdn/backfill-summary.ts";
import { printBackfillSummary } from "../../src/cli/cdn-backfill-report.ts";
import { listenForCtrlC } from "../../src/cli/cdn-interrupt.ts";
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

const OBJECTS = 12;
const CONCURRENCY = 4;
let engines: CdnEngines;
let ports: BackfillPorts;

beforeAll(async () => {
  const buckets = ["reels-src", "clips-src", "stills-src", "prunes-src"];
  engines = await startCdnEngines(buckets);
  ports = await backfillPorts(engines);
  for (const bucket of buckets) {
    await putObjects(engines.sourceClient, bucket, OBJECTS);
  }
});
afterAll(async () => {
  await engines?.stop();
});
beforeEach(() => {
  engines.r2Proxy.requests.length = 0;
});
afterEach(() => {
  engines.r2Proxy.release();
});

async function r2Count(dir: string): Promise<number> {
  const page = await engines.r2Client.send(
    new ListObjectsV2Command({ Bucket: R2_BUCKET, Prefix: `${dir}/` }),
  );
  return page.KeyCount ?? 0;
}

/** Resolves once `condition` holds; fails the test after five seconds. */
async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition never held");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function putR2(keys: readonly string[]): Promise<void> {
  for (const key of keys) {
    await engines.r2Client.send(
      new PutObjectCommand({ Bucket: R2_BUCKET, Key: key, Body: key }),
    );
  }
}

const isPut = (request: { method: string }) => request.method === "PUT";

describe("stopping a backfill", () => {
  it("lets the copies in flight finish, then starts no copy and no directory", async () => {
    const stop = new AbortController();
    engines.r2Proxy.hold = isPut;
    const registry = registryOf(
      ["reels", "reels-src"],
      ["stills", "stills-src"],
    );

    const running = backfill(ports, registry, R2_BUCKET, {
      concurrency: CONCURRENCY,
      stop: stop.signal,
    });
    await until(() => r2Puts(engines, "reels") === CONCURRENCY);
    stop.abort();
    engines.r2Proxy.release();
    const summaries = await running;

    expect(summaries).toMatchObject([
      { dir: "reels", copied: CONCURRENCY, failures: [], interrupted: true },
      { dir: "stills", copied: 0, interrupted: true },
    ]);
    expect(r2Puts(engines, "reels")).toBe(CONCURRENCY);
    expect(await r2Count("reels")).toBe(CONCURRENCY);
    expect(await r2Count("stills")).toBe(0);
  });

  it("a stop during the first directory's deletions reports the next one as interrupted", async () => {
    const stop = new AbortController();
    await putR2(["prunes/extra-0.txt", "prunes/extra-1.txt"]);
    engines.r2Proxy.hold = (request) => request.method === "POST";
    const registry = registryOf(
      ["prunes", "prunes-src"],
      ["frames", "stills-src"],
    );

    const running = backfill(ports, registry, R2_BUCKET, {
      delete: true,
      forceDelete: true,
      stop: stop.signal,
    });
    await until(() => engines.r2Proxy.count("POST") === 1);
    stop.abort();
    engines.r2Proxy.release();
    const summaries = await running;

    expect(summaries).toMatchObject([
      { dir: "prunes", copied: OBJECTS, deleted: 2, interrupted: false },
      { dir: "frames", copied: 0, interrupted: true },
    ]);
    expect(needsAttention(summaries)).toBe(true);
    expect(await r2Count("frames")).toBe(0);
    const lines: string[] = [];
    printBackfillSummary(summaries, (line) => lines.push(line));
    expect(lines).toContain("frames: interrupted; run again to finish");
  });

  it("an abort cuts off the copies in flight without counting them as failures", async () => {
    const abort = new AbortController();
    engines.r2Proxy.hold = isPut;

    const running = backfill(
      ports,
      registryOf(["clips", "clips-src"]),
      R2_BUCKET,
      {
        concurrency: CONCURRENCY,
        signal: abort.signal,
      },
    );
    await until(() => r2Puts(engines, "clips") === CONCURRENCY);
    abort.abort();
    const [summary] = await running;

    // Resolved while the proxy still holds every PUT: nothing waited for R2.
    expect(summary).toMatchObject({
      copied: 0,
      failures: [],
      interrupted: true,
    });
    expect(r2Puts(engines, "clips")).toBe(CONCURRENCY);
    expect(await r2Count("clips")).toBe(0);
  });

  it("an abort during the listing reports the directory as interrupted", async () => {
    const abort = new AbortController();
    engines.r2Proxy.hold = (request) => request.path === `/${R2_BUCKET}/`;

    const running = backfill(
      ports,
      registryOf(["stills", "stills-src"]),
      R2_BUCKET,
      {
        signal: abort.signal,
      },
    );
    await until(() => engines.r2Proxy.count("GET", `/${R2_BUCKET}/`) === 1);
    abort.abort();
    const [summary] = await running;

    expect(summary).toMatchObject({
      dir: "stills",
      copied: 0,
      failures: [],
      interrupted: true,
    });
    expect(engines.r2Proxy.count("PUT")).toBe(0);
  });
});

describe("Ctrl-C during core cdn backfill", () => {
  it("stops on the first, aborts on the second, then leaves Ctrl-C to Node", () => {
    const process = new EventEmitter();
    const notes: string[] = [];
    const ctrlC = listenForCtrlC((line) => notes.push(line), process);

    process.emit("SIGINT");
    const afterFirst = [ctrlC.stop.aborted, ctrlC.abort.aborted];
    process.emit("SIGINT");

    expect(afterFirst).toEqual([true, false]);
    expect(ctrlC.abort.aborted).toBe(true);
    expect(process.listenerCount("SIGINT")).toBe(0);
    expect(notes[0]).toMatch(/press Ctrl-C again/);
  });

  it("removes its listener once the backfill is over", () => {
    const process = new EventEmitter();
    const ctrlC = listenForCtrlC(() => undefined, process);

    ctrlC.dispose();

    expect(process.listenerCount("SIGINT")).toBe(0);
  });
});
