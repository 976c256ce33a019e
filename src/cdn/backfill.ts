/**
 * Backfill: make each registered R2 directory match its source bucket.
 *
 * Copies what is missing or different, and with `delete` removes R2
 * objects that have no source, within a cap. Every run starts from a fresh
 * diff, so a run after an interruption copies only what is still missing.
 */

import { copyPlanned, plannedCopies } from "./backfill-copy.ts";
import { deleteCap, deleteExtras } from "./backfill-delete.ts";
import { type DirPlan, planDir, selectEntries } from "./backfill-plan.ts";
import type { BackfillPorts } from "./backfill-ports.ts";
import { type BackfillCache, purgeReplaced } from "./backfill-purge.ts";
import {
  type BackfillProgress,
  type DirSummary,
  emptySummary,
} from "./backfill-summary.ts";
import { CdnError } from "./errors.ts";
import type { Registry, RegistryEntry } from "./types.ts";

export { DEFAULT_BACKFILL_CONCURRENCY } from "./backfill-copy.ts";

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
  /**
   * Cloudflare's cache: after a directory's copies and deletions, the CDN
   * URLs of the objects overwritten or deleted are purged.
   */
  readonly cache?: BackfillCache;
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
    // A directory the stop came before still gets its summary, marked
    // interrupted: otherwise a stop during the previous directory's
    // deletions or purge would skip it without a word and exit 0.
    if (halt.aborted) {
      summaries.push(notStarted(entry, options.dryRun));
      continue;
    }

    const planned = await tryPlan(ports, entry, r2Bucket, options);
    summaries.push(
      "diff" in planned
        ? await applyPlan(ports, planned, options, halt)
        : planned,
    );
  }

  return summaries;
}

/** The summary of a directory left for the next run before it started. */
function notStarted(entry: RegistryEntry, dryRun?: boolean): DirSummary {
  return { ...emptySummary(entry, dryRun), interrupted: true };
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
  const toCopy = plannedCopies(plan);
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

  const overwritten = await copyPlanned(ports, plan, summary, {
    ...options,
    halt,
  });
  summary.interrupted = halt.aborted;
  const deleted =
    options.delete && !summary.interrupted
      ? await deleteExtras(ports, plan, summary, {
          cap,
          force: Boolean(options.forceDelete),
        })
      : [];
  if (options.cache) {
    const replaced = [...overwritten, ...deleted];
    await purgeReplaced(options.cache, replaced, summary, options.signal);
  }

  return summary;
}
