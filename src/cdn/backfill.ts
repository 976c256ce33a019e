/**
 * Backfill: make each registered R2 directory match its source bucket.
 *
 * Copies what is missing or different, and with `delete` removes R2
 * objects that have no source, within a cap. Every run starts from a fresh
 * diff, so a run after an interruption copies only what is still missing.
 */

import { forEachConcurrent } from "../shared/concurrency.ts";
import { deleteCap, deleteExtras } from "./backfill-delete.ts";
import { type DirPlan, planDir, selectEntries } from "./backfill-plan.ts";
import type { BackfillPorts } from "./backfill-ports.ts";
import {
  type BackfillProgress,
  type DirSummary,
  emptySummary,
} from "./backfill-summary.ts";
import { CdnError } from "./errors.ts";
import { r2KeyFor } from "./keys.ts";
import type { Registry, RegistryEntry } from "./types.ts";

/**
 * Copies in flight by default. Between two s3rver engines, 2,000 x 10 KiB
 * took a median 2.8 s at 16, 2.6 s at 32 and 2.5 s at 64; copies stream,
 * so more in flight costs sockets, not buffers. 32 also matches rclone's
 * tuned run in docs/BENCHMARKS.md.
 */
export const DEFAULT_BACKFILL_CONCURRENCY = 32;

export interface BackfillOptions {
  /** Directories to backfill; all registered ones when empty. */
  readonly dirs?: readonly string[];
  readonly delete?: boolean;
  /** At most this many deletions per directory; default 10% of it. */
  readonly maxDelete?: number;
  /** Delete even when over the cap. */
  readonly forceDelete?: boolean;
  /** Report what would change; change nothing. */
  readonly dryRun?: boolean;
  readonly concurrency?: number;
  /**
   * Once aborted, no further directory, copy or deletion starts; copies in
   * flight finish and are counted. The summary then says `interrupted`.
   */
  readonly stop?: AbortSignal;
  /**
   * Once aborted, does what `stop` does and also cuts off the listings and
   * copies in flight. A copy cut off is not a failure: the next run finds
   * it missing or different and copies it again.
   */
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: BackfillProgress) => void;
}

/** Backfills every selected directory in turn; one summary per directory. */
export async function backfill(
  ports: BackfillPorts,
  registry: Registry,
  r2Bucket: string,
  options: BackfillOptions = {},
): Promise<DirSummary[]> {
  const halt = haltSignal(options);
  const summaries: DirSummary[] = [];
  for (const entry of selectEntries(registry, options.dirs)) {
    if (halt.aborted) break;
    const planned = await tryPlan(ports, entry, r2Bucket, options);
    summaries.push(
      "diff" in planned
        ? await applyPlan(ports, planned, options, halt)
        : planned,
    );
  }

  return summaries;
}

/**
 * The directory's plan, or its summary when it has none: a listing cut off
 * by the abort leaves it to the next run (interrupted); a listing that
 * failed is this directory's failure, and the next directory still runs.
 */
async function tryPlan(
  ports: BackfillPorts,
  entry: RegistryEntry,
  r2Bucket: string,
  options: BackfillOptions,
): Promise<DirPlan | DirSummary> {
  try {
    return await planDir(ports, entry, r2Bucket, options.signal);
  } catch (error) {
    const summary = emptySummary(entry, options.dryRun);
    if (options.signal?.aborted) return { ...summary, interrupted: true };
    if (!(error instanceof CdnError)) throw error;

    return { ...summary, error: error.message };
  }
}

/** Aborts once `stop` or `signal` does (AbortSignal.any needs Node 20.3). */
function haltSignal({ stop, signal }: BackfillOptions): AbortSignal {
  const halt = new AbortController();
  for (const source of [stop, signal]) {
    if (source?.aborted) halt.abort();
    source?.addEventListener("abort", () => halt.abort(), { once: true });
  }

  return halt.signal;
}

async function applyPlan(
  ports: BackfillPorts,
  plan: DirPlan,
  options: BackfillOptions,
  halt: AbortSignal,
): Promise<DirSummary> {
  const { entry, diff } = plan;
  const toCopy = [...diff.missing, ...diff.different.map((p) => p.source)];
  const cap = deleteCap(plan.targetCount, options.maxDelete);
  const summary: DirSummary = {
    ...emptySummary(entry, options.dryRun),
    toCopy: toCopy.length,
    toCopyBytes: toCopy.reduce((sum, object) => sum + object.size, 0),
    toDelete: options.delete ? diff.extra.length : 0,
    deleteCap: cap,
    unchanged: diff.same.length,
    refused: plan.refused,
  };
  options.onProgress?.({
    kind: "planned",
    dir: entry.dir,
    objects: summary.toCopy,
    bytes: summary.toCopyBytes,
  });
  if (options.dryRun) {
    summary.deleteRefused = summary.toDelete > cap && !options.forceDelete;

    return summary;
  }

  const signal = options.signal;
  const concurrency = options.concurrency ?? DEFAULT_BACKFILL_CONCURRENCY;
  await forEachConcurrent(
    toCopy,
    concurrency,
    async function copyOne(object) {
      const request = {
        bucket: entry.bucket,
        key: object.key,
        targetKey: r2KeyFor(entry.dir, object.key),
        size: object.size,
      };
      try {
        const bytes = await ports.copier.copy(request, signal);
        if (bytes === undefined) {
          // Deleted since the listing: the source is the truth, nothing to do.
          summary.vanished += 1;
          options.onProgress?.({ kind: "copied", dir: entry.dir, bytes: 0 });
          return;
        }
        summary.copied += 1;
        summary.bytes += bytes;
        options.onProgress?.({ kind: "copied", dir: entry.dir, bytes });
      } catch (error) {
        // A copy cut short by the abort is not a failure: the next run
        // finds it missing or different and copies it again.
        if (signal?.aborted) return;
        summary.failures.push({
          key: object.key,
          action: "copy",
          message: (error as Error).message,
        });
        options.onProgress?.({ kind: "failed", dir: entry.dir, bytes: 0 });
      }
    },
    halt,
  );
  summary.interrupted = halt.aborted;
  if (!options.delete || summary.interrupted) return summary;

  return deleteExtras(ports, plan, summary, {
    cap,
    force: Boolean(options.forceDelete),
  });
}
