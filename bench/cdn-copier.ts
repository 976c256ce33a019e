/**
 * Child process of the CDN benchmark: one backfill of `bucket` into R2
 * `<dir>/`, through the same code as `core cdn backfill`. Prints one JSON
 * line: seconds, objects, bytes and this process's peak RSS.
 */
import { S3Client } from "@aws-sdk/client-s3";
import { backfillPortsFor } from "../src/aws/bulk-targets.ts";
import { s3Options } from "../src/aws/clients.ts";
import { backfill } from "../src/cdn/backfill.ts";

interface CopierArgs {
  source: string;
  r2: string;
  bucket: string;
  dir: string;
  concurrency: number;
  multipartThreshold?: number;
}

const args = JSON.parse(process.argv[2] ?? "{}") as CopierArgs;
const targets = {
  sourceS3: () => new S3Client(s3Options("us-east-1", args.source)),
  r2: new S3Client(s3Options("us-east-1", args.r2)),
  r2Bucket: "r2",
  registry: [{ dir: args.dir, bucket: args.bucket, parameter: args.dir }],
};

const started = performance.now();
const ports = await backfillPortsFor(targets, {
  multipartThreshold: args.multipartThreshold,
});
const [summary] = await backfill(ports, targets.registry, targets.r2Bucket, {
  concurrency: args.concurrency,
});
const seconds = (performance.now() - started) / 1000;

console.log(
  JSON.stringify({
    seconds,
    objects: summary?.copied ?? 0,
    bytes: summary?.bytes ?? 0,
    failed: summary?.failures.length ?? 0,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    cpuSeconds: (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
  }),
);
process.exit(0);
