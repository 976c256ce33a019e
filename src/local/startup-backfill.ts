/**
 * The CDN backfill the local core runs in the background on each start.
 * fauxqs keeps its queues in memory, so S3 events still queued when the
 * core last stopped are gone; copying what the R2 stand-in lacks (or holds
 * an older version of) catches up on them. It deletes nothing: an extra
 * copy cannot be told from one whose delete event was lost, and
 * `core cdn backfill --local --delete` is there for that.
 */
import type { S3Client } from "@aws-sdk/client-s3";
import type { SSMClient } from "@aws-sdk/client-ssm";
import type { DirSummary } from "../cdn/backfill-summary.ts";
import { formatLogLine, type Print } from "./log-format.ts";

/**
 * Copies in flight: a quarter of the CLI's default, so the requests a
 * developer makes right after "ready" are not queued behind a catch-up.
 */
const STARTUP_BACKFILL_CONCURRENCY = 8;
const SERVICE = "cdn-backfill";

export interface StartupBackfillOptions {
  readonly s3: S3Client;
  readonly ssm: SSMClient;
  readonly registryPrefix: string;
  readonly r2Bucket: string;
  readonly print: Print;
}

export interface StartupBackfill {
  /** Cuts off the copies in flight; the next start does the rest. */
  stop(): Promise<void>;
}

/** Starts the backfill and returns at once; it prints one line when done. */
export function startStartupBackfill(
  options: StartupBackfillOptions,
): StartupBackfill {
  const controller = new AbortController();
  const running = catchUp(options, controller.signal).then(
    (summaries) => options.print(formatBackfillLine(summaries)),
    (error: Error) =>
      options.print(
        formatLogLine({
          service: SERVICE,
          level: "ERROR",
          message: `start-up backfill failed: ${error.message}`,
        }),
      ),
  );

  return {
    stop: async () => {
      controller.abort();
      await running;
    },
  };
}

async function catchUp(
  options: StartupBackfillOptions,
  signal: AbortSignal,
): Promise<DirSummary[]> {
  // Imported here, not at the top: loading them would delay "ready".
  const [{ backfill }, { backfillPortsFor }, { loadRegistry }] =
    await Promise.all([
      import("../cdn/backfill.ts"),
      import("../aws/bulk-targets.ts"),
      import("../aws/ssm-registry.ts"),
    ]);
  const registry = await loadRegistry(options.ssm, options.registryPrefix);
  const ports = await backfillPortsFor({
    sourceS3: () => options.s3,
    r2: options.s3,
    r2Bucket: options.r2Bucket,
    registry,
  });

  return backfill(ports, registry, options.r2Bucket, {
    signal,
    concurrency: STARTUP_BACKFILL_CONCURRENCY,
  });
}

/** One line for the whole run; counts only, since keys may say too much. */
export function formatBackfillLine(summaries: readonly DirSummary[]): string {
  const sum = (count: (summary: DirSummary) => number) =>
    summaries.reduce((total, summary) => total + count(summary), 0);
  const failed = sum((summary) => summary.failures.length);
  const unlisted = summaries.filter((summary) => summary.error);
  const interrupted = summaries.some((summary) => summary.interrupted);
  const problems = [
    failed > 0 ? `${failed} failed` : "",
    ...unlisted.map((summary) => `${summary.dir} not listed: ${summary.error}`),
    interrupted ? "stopped before the end; the next start goes on" : "",
  ].filter(Boolean);

  return formatLogLine({
    service: SERVICE,
    level: problems.length > 0 ? "WARN" : "INFO",
    message: [
      `start-up backfill of ${summaries.length} directories: ${sum((s) => s.copied)} copied (${sum((s) => s.bytes)} bytes), ${sum((s) => s.unchanged)} already in the R2 stand-in`,
      ...problems,
    ].join("; "),
  });
}
