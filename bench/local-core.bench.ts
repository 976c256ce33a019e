/**
 * Local core benchmarks (issue 4), the core running as `npm start` does:
 *  (a) start time, from spawning `core dev` until endpoints.json exists:
 *      cold (a fresh home folder) and warm (the same folder again); and the
 *      part the core itself reports (engines, resources, wiring), which
 *      leaves out Node's start and the modules' import;
 *  (b) upload → served: from PutObject into a registered bucket until
 *      `GET /cdn/<dir>/<key>` first answers 200, over 200 uploads.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { s3Options } from "../src/aws/clients.ts";
import { freeCorePort } from "../test/support/core-ports.ts";
import {
  spawnCore,
  waitForEndpoints,
} from "../test/support/local-core-process.ts";
import { fixed, median, percentile } from "./stats.ts";

const START_RUNS = Number(process.env.BENCH_RUNS ?? 3);
const UPLOADS = Number(process.env.BENCH_UPLOADS ?? 200);
const POLL_MS = 5;
const BODY = Buffer.alloc(10 * 1024, 7);

async function timedStart(env: Record<string, string>) {
  const started = performance.now();
  const core = spawnCore(env);
  const endpoints = await waitForEndpoints(core, env.CORE_HOME ?? "");
  const ms = performance.now() - started;
  // The summary is printed right after endpoints.json is written.
  while (!READY.test(core.output())) await sleep(5);
  const ownMs = Number(READY.exec(core.output())?.[1]) * 1000;

  return { core, endpoints, ms, ownMs };
}

const READY = /Local core ready in ([\d.]+) s/;

async function startTimes(): Promise<void> {
  const runs = { cold: [] as number[], warm: [] as number[] };
  const own = { cold: [] as number[], warm: [] as number[] };
  for (let run = 0; run < START_RUNS; run++) {
    const home = await mkdtemp(join(tmpdir(), "core-bench-"));
    const env = { CORE_HOME: home, CORE_PORT: String(await freeCorePort()) };
    for (const kind of ["cold", "warm"] as const) {
      const { core, ms, ownMs } = await timedStart(env);
      runs[kind].push(ms);
      own[kind].push(ownMs);
      await core.stop();
    }
    await rm(home, { recursive: true, force: true });
  }
  const seconds = (values: number[]) =>
    `median ${fixed(median(values) / 1000, 2)} s (runs: ${values.map((v) => fixed(v / 1000, 2)).join(", ")})`;
  for (const kind of ["cold", "warm"] as const) {
    console.log(`start, ${kind}: ${seconds(runs[kind])}`);
    console.log(`  of which the core's own start: ${seconds(own[kind])}`);
  }
}

async function uploadToServed(): Promise<void> {
  const home = await mkdtemp(join(tmpdir(), "core-bench-"));
  const env = {
    CORE_HOME: home,
    CORE_PORT: String(await freeCorePort()),
    CDN_BUCKETS: "anime=anime-assets",
  };
  const { core, endpoints } = await timedStart(env);
  const s3 = new S3Client(s3Options(endpoints.region, endpoints.s3.endpoint));
  const latencies: number[] = [];
  try {
    for (let i = 0; i < UPLOADS; i++) {
      const key = `bench/${i}.bin`;
      const started = performance.now();
      await s3.send(
        new PutObjectCommand({ Bucket: "anime-assets", Key: key, Body: BODY }),
      );
      await firstOk(`${endpoints.cdn}/anime/${key}`);
      latencies.push(performance.now() - started);
    }
  } finally {
    s3.destroy();
    await core.stop();
    await rm(home, { recursive: true, force: true });
  }
  console.log(
    `upload → served (${UPLOADS} × 10 KiB, one at a time, polled every ${POLL_MS} ms): median ${fixed(median(latencies))} ms, p95 ${fixed(percentile(latencies, 95))} ms, max ${fixed(Math.max(...latencies))} ms`,
  );
}

async function firstOk(url: string): Promise<void> {
  const deadline = performance.now() + 30_000;
  while (performance.now() < deadline) {
    const response = await fetch(url);
    await response.arrayBuffer();
    if (response.ok) return;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  throw new Error(`${url} was not served within 30 s`);
}

await startTimes();
await uploadToServed();
