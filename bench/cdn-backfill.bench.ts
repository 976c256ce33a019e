/**
 * CDN backfill benchmark (issue 3): copies (a) 2,000 objects of 10 KiB and
 * (b) 10 objects of 50 MiB between two s3rver engines with our backfill
 * and with `rclone sync` (defaults, and tuned as in DESIGN.md), and prints
 * objects/s, MiB/s and peak memory, medians over BENCH_RUNS runs.
 *
 * The engines run in one child process, each copier in another, so peak
 * RSS is the copier's own: `process.resourceUsage().maxRSS` for ours,
 * `/usr/bin/time -f %M` for rclone. Runs are interleaved so load from
 * other work on the machine falls on every tool alike.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createInterface } from "node:readline";
import {
  DeleteObjectsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { s3Options } from "../src/aws/clients.ts";
import { DEFAULT_BACKFILL_CONCURRENCY } from "../src/cdn/backfill.ts";
import { forEachConcurrent } from "../src/shared/concurrency.ts";
import { fixed, median, mib } from "./stats.ts";

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const DATASETS = [
  {
    name: "(a) 2,000 x 10 KiB",
    bucket: "small-src",
    count: 2000,
    size: 10 * 1024,
  },
  {
    name: "(b) 10 x 50 MiB",
    bucket: "large-src",
    count: 10,
    size: 50 * 1024 * 1024,
  },
];
/** Backfilling an empty bucket shows the copier's fixed memory (Node, tsx, SDK). */
const EMPTY_BUCKET = "empty-src";
const RCLONE_TUNED = ["--transfers", "32", "--checkers", "32", "--s3-no-head"];

interface Run {
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly maxRssBytes: number;
}
type Tool = (bucket: string, dir: string) => Promise<Run>;

const engines = spawn(
  process.execPath,
  [
    "--openssl-legacy-provider",
    "--import",
    "tsx",
    "bench/cdn-engines.ts",
    EMPTY_BUCKET,
    ...DATASETS.map((d) => d.bucket),
  ],
  { stdio: ["pipe", "pipe", "inherit"] },
);
const endpoints = JSON.parse(await firstLine(engines)) as {
  source: string;
  r2: string;
};
const source = new S3Client(s3Options("us-east-1", endpoints.source));
const r2 = new S3Client(s3Options("us-east-1", endpoints.r2));
const hasRclone = spawnSync("rclone", ["version"]).status === 0;
const hasTime = spawnSync("/usr/bin/time", ["-f", "%M", "true"]).status === 0;
if (!hasRclone)
  console.log(
    "rclone is not installed: skipping the rclone comparison (apt-get install rclone)",
  );

const tools: Array<[string, Tool]> = [
  [`backfill (concurrency ${DEFAULT_BACKFILL_CONCURRENCY})`, runBackfill],
  ...(hasRclone
    ? ([
        ["rclone sync (defaults)", (b, d) => runRclone(b, d, [])],
        [
          `rclone sync ${RCLONE_TUNED.join(" ")}`,
          (b, d) => runRclone(b, d, RCLONE_TUNED),
        ],
      ] as Array<[string, Tool]>)
    : []),
];

try {
  const idle = await runBackfill(EMPTY_BUCKET, "empty");
  console.log(
    `backfill of an empty bucket: peak RSS ${fixed(mib(idle.maxRssBytes), 0)} MiB, CPU ${fixed(idle.cpuSeconds, 2)} s (start-up cost)`,
  );
  for (const dataset of DATASETS) {
    await seed(dataset.bucket, dataset.count, dataset.size);
    const results = new Map<string, Run[]>(tools.map(([name]) => [name, []]));
    for (let run = 1; run <= RUNS; run += 1) {
      for (const [index, [name, tool]] of tools.entries()) {
        const dir = `run-${run}-${index}`;
        results.get(name)?.push(await tool(dataset.bucket, dir));
        await clearPrefix(`${dir}/`);
      }
    }
    report(dataset, results);
  }
} finally {
  engines.stdin?.end();
}

async function runBackfill(bucket: string, dir: string): Promise<Run> {
  const args = JSON.stringify({
    ...endpoints,
    bucket,
    dir,
    concurrency: DEFAULT_BACKFILL_CONCURRENCY,
  });
  const child = spawn(
    process.execPath,
    [
      "--openssl-legacy-provider",
      "--import",
      "tsx",
      "bench/cdn-copier.ts",
      args,
    ],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const result = JSON.parse(await firstLine(child));
  if (result.failed > 0)
    throw new Error(`backfill failed ${result.failed} copies`);

  return {
    seconds: result.seconds,
    cpuSeconds: result.cpuSeconds,
    maxRssBytes: result.maxRssBytes,
  };
}

async function runRclone(
  bucket: string,
  dir: string,
  flags: string[],
): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.AWS_CA_BUNDLE;
  for (const [name, endpoint] of [
    ["SRC", endpoints.source],
    ["DST", endpoints.r2],
  ]) {
    Object.assign(env, {
      [`RCLONE_CONFIG_${name}_TYPE`]: "s3",
      [`RCLONE_CONFIG_${name}_PROVIDER`]: "Other",
      [`RCLONE_CONFIG_${name}_ENDPOINT`]: endpoint,
      [`RCLONE_CONFIG_${name}_REGION`]: "us-east-1",
      [`RCLONE_CONFIG_${name}_FORCE_PATH_STYLE`]: "true",
      [`RCLONE_CONFIG_${name}_ACCESS_KEY_ID`]: "S3RVER",
      [`RCLONE_CONFIG_${name}_SECRET_ACCESS_KEY`]: "S3RVER",
    });
  }
  const command = [
    "rclone",
    "sync",
    `src:${bucket}`,
    `dst:r2/${dir}`,
    ...flags,
  ];
  const argv = hasTime
    ? ["/usr/bin/time", "-f", "rss-kib=%M cpu=%U+%S", ...command]
    : command;
  const started = performance.now();
  const result = spawnSync(argv[0] ?? "", argv.slice(1), {
    env,
    encoding: "utf8",
  });
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== 0) throw new Error(`rclone failed: ${result.stderr}`);
  const usage = /rss-kib=(\d+) cpu=([\d.]+)\+([\d.]+)/.exec(result.stderr);

  return {
    seconds,
    cpuSeconds: usage ? Number(usage[2]) + Number(usage[3]) : Number.NaN,
    maxRssBytes: usage ? Number(usage[1]) * 1024 : Number.NaN,
  };
}

function report(
  dataset: (typeof DATASETS)[number],
  results: Map<string, Run[]>,
): void {
  const totalMib = mib(dataset.count * dataset.size);
  console.log(`\n${dataset.name}, ${RUNS} runs, medians`);
  console.log(
    "tool | seconds | objects/s | MiB/s | peak RSS MiB | CPU s | each run (s)",
  );
  const rates = new Map<string, number>();
  for (const [name, runs] of results) {
    const seconds = median(runs.map((r) => r.seconds));
    const rss = median(runs.map((r) => r.maxRssBytes));
    const cpu = median(runs.map((r) => r.cpuSeconds));
    const each = runs.map((r) => fixed(r.seconds, 2)).join(", ");
    rates.set(name, dataset.count / seconds);
    console.log(
      `${name} | ${fixed(seconds, 2)} | ${fixed(dataset.count / seconds, 0)} | ${fixed(totalMib / seconds)} | ${fixed(mib(rss), 0)} | ${fixed(cpu, 2)} | ${each}`,
    );
  }
  const [ours, ...others] = [...rates];
  for (const [name, rate] of others) {
    console.log(
      `throughput ratio backfill / ${name}: ${fixed((ours?.[1] ?? 0) / rate, 2)}`,
    );
  }
}

async function seed(
  bucket: string,
  count: number,
  size: number,
): Promise<void> {
  const started = performance.now();
  const body = Buffer.alloc(size);
  for (let i = 0; i < size; i += 1) body[i] = (i * 31 + 7) % 251;
  await forEachConcurrent(
    Array.from({ length: count }, (_, n) => n),
    size > 1e6 ? 2 : 16,
    async (n) => {
      const copy = Buffer.from(body);
      copy.writeUInt32BE(n, 0);
      await source.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: `objects/${String(n).padStart(5, "0")}.bin`,
          Body: copy,
          ContentType: "application/octet-stream",
        }),
      );
    },
  );
  console.log(
    `seeded ${count} objects of ${size} bytes in ${fixed((performance.now() - started) / 1000)} s`,
  );
}

async function clearPrefix(prefix: string): Promise<void> {
  for (;;) {
    const page = await r2.send(
      new ListObjectsV2Command({ Bucket: "r2", Prefix: prefix }),
    );
    const keys = (page.Contents ?? []).map((object) => ({ Key: object.Key }));
    if (keys.length === 0) return;
    await r2.send(
      new DeleteObjectsCommand({
        Bucket: "r2",
        Delete: { Objects: keys, Quiet: true },
      }),
    );
  }
}

async function firstLine(child: ChildProcess): Promise<string> {
  if (!child.stdout) throw new Error("child has no stdout");
  const lines = createInterface({ input: child.stdout });
  for await (const line of lines) {
    if (line.startsWith("{")) return line;
  }
  throw new Error("child exited without a result line");
}
