/**
 * Child process of the CDN benchmark: two s3rver engines (source and R2)
 * in their own process, so the copier's memory and CPU are its own. Prints
 * the endpoints as one JSON line and runs until stdin closes.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startS3rver } from "../src/local/engines/s3rver.ts";

const buckets = process.argv.slice(2);
const folder = await mkdtemp(join(tmpdir(), "cdn-bench-"));
const source = await startS3rver({
  directory: join(folder, "source"),
  buckets,
});
const r2 = await startS3rver({
  directory: join(folder, "r2"),
  buckets: ["r2"],
});
console.log(JSON.stringify({ source: source.endpoint, r2: r2.endpoint }));

process.stdin.resume();
process.stdin.on("end", async () => {
  await Promise.all([source.stop(), r2.stop()]);
  await rm(folder, { recursive: true, force: true });
  process.exit(0);
});
