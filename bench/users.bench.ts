/**
 * User-sync benchmarks (issue 2):
 *  (a) full resync of 2,000 cognito-local users into dynalite: users per
 *      second and peak memory of the resync process (engines run here, the
 *      resync in a child process);
 *  (b) each Lambda bundle's size and the time a fresh Node process takes to
 *      import it (median of several runs). Run `npm run build` first.
 */
import { execFile, execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, statSync } from "node:fs";
import { promisify } from "node:util";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { HANDLERS } from "../scripts/handlers.ts";
import { createUsersTable } from "../src/local/provision.ts";
import { forEachConcurrent } from "../src/shared/concurrency.ts";
import { startUserSyncEnv } from "../test/support/user-sync-env.ts";
import { fixed, median, mib } from "./stats.ts";

const USERS = Number(process.env.BENCH_USERS ?? 2000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const CONCURRENCY = 16;
const IMPORT_RUNS = 7;

async function resyncBenchmark(): Promise<void> {
  const env = await startUserSyncEnv();
  const seeding = performance.now();
  await forEachConcurrent(
    Array.from({ length: USERS }, (_, i) => i),
    8,
    async (i) => {
      await env.createUser(`bench-${i}@example.test`, { name: `User ${i}` });
    },
  );
  console.log(
    `seeded ${USERS} users in cognito-local in ${fixed((performance.now() - seeding) / 1000)} s`,
  );

  const dynamo = new DynamoDBClient({
    region: "us-east-1",
    endpoint: env.aws.DYNAMODB_ENDPOINT,
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  const cold: Array<{ rate: number; rss: number }> = [];
  const warm: Array<{ rate: number; rss: number }> = [];
  for (let run = 0; run < RUNS; run++) {
    // A fresh table each run: the first pass writes every user, the second finds them unchanged.
    const table = `bench-${randomUUID().slice(0, 8)}`;
    await createUsersTable(dynamo, table);
    const config = { ...env.config, USERS_TABLE: table };
    for (const [label, into] of [
      ["cold", cold],
      ["warm", warm],
    ] as const) {
      // Asynchronous: the engines answer from this process's event loop.
      const { stdout: output } = await promisify(execFile)(
        process.execPath,
        [
          "--import",
          "tsx",
          "bench/users-resync-child.ts",
          JSON.stringify({ aws: env.aws, config, concurrency: CONCURRENCY }),
        ],
        { encoding: "utf8" },
      );
      const result = JSON.parse(output.trim().split("\n").at(-1) ?? "{}");
      const rate = USERS / (result.durationMs / 1000);
      into.push({ rate, rss: result.maxRssKiB * 1024 });
      console.log(
        `run ${run + 1} ${label}: synced ${result.synced}, unchanged ${result.unchanged}, failed ${result.failed} in ${fixed(result.durationMs / 1000, 2)} s = ${fixed(rate)} users/s, peak RSS ${fixed(mib(result.maxRssKiB * 1024))} MiB`,
      );
    }
  }
  dynamo.destroy();
  await env.stop();

  console.log(
    "\n| resync of %d users (concurrency %d) | users/s (median) | peak RSS MiB (median) |",
    USERS,
    CONCURRENCY,
  );
  console.log("|---|---|---|");
  for (const [label, runs] of [
    ["first pass (all written)", cold],
    ["second pass (all unchanged)", warm],
  ] as const) {
    console.log(
      `| ${label} | ${fixed(median(runs.map((r) => r.rate)))} | ${fixed(mib(median(runs.map((r) => r.rss))))} |`,
    );
  }
}

function bundleBenchmark(): void {
  console.log(
    "\n| bundle | size KiB | cold import ms (median of %d) |",
    IMPORT_RUNS,
  );
  console.log("|---|---|---|");
  for (const name of HANDLERS) {
    const file = `dist/${name}/index.mjs`;
    if (!existsSync(file)) {
      console.log(`| ${name} | missing: run \`npm run build\` | |`);
      continue;
    }
    const times: number[] = [];
    for (let run = 0; run < IMPORT_RUNS; run++) {
      const output = execFileSync(
        process.execPath,
        [
          "--input-type=module",
          "-e",
          `const t = performance.now(); await import(${JSON.stringify(`${process.cwd()}/${file}`)}); console.log(performance.now() - t);`,
        ],
        { encoding: "utf8", env: { ...process.env, NODE_OPTIONS: "" } },
      );
      times.push(Number(output.trim()));
    }
    console.log(
      `| ${name} | ${fixed(statSync(file).size / 1024, 0)} | ${fixed(median(times))} |`,
    );
  }
}

bundleBenchmark();
await resyncBenchmark();
