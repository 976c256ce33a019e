/**
 * One resync in a fresh process, so its peak memory is its own; prints a
 * JSON line with the summary, duration and peak RSS.
 */

import type { AwsConfig, UserSyncConfig } from "../src/config.ts";
import { wireUserSync } from "../src/handlers/user-sync-wiring.ts";
import { resyncAll } from "../src/users/resync.ts";

const { aws, config, concurrency } = JSON.parse(process.argv[2] ?? "{}") as {
  aws: AwsConfig;
  config: UserSyncConfig;
  concurrency: number;
};
const wiring = wireUserSync(config, aws);
const started = performance.now();
const { failures, ...summary } = await resyncAll(wiring, {
  prune: true,
  concurrency,
});
const durationMs = performance.now() - started;

console.log(
  JSON.stringify({
    ...summary,
    failures: failures.length,
    durationMs,
    maxRssKiB: process.resourceUsage().maxRSS,
  }),
);
