/** What backfill reports, per directory and while it runs. */
import type { RefusedKey } from "./backfill-plan.ts";
import type { RegistryEntry } from "./types.ts";

/** One object that could not be copied or deleted. */
export interface BackfillFailure {
  /** Relative to the directory. */
  readonly key: string;
  readonly action: "copy" | "delete";
  readonly message: string;
}

/** One batch of CDN URLs whose purge failed. */
export interface PurgeProblem {
  readonly urls: number;
  /** The first URL of the batch, to name it. */
  readonly first: string;
  readonly message: string;
}

/** The outcome for one directory. Counts are of objects. */
export interface DirSummary {
  readonly dir: string;
  readonly bucket: string;
  readonly dryRun: boolean;
  /** Missing or different when listed. */
  readonly toCopy: number;
  readonly toCopyBytes: number;
  /** Extra R2 objects that `delete` would remove (0 without it). */
  readonly toDelete: number;
  /** The most deletions allowed without `forceDelete`. */
  readonly deleteCap: number;
  copied: number;
  bytes: number;
  unchanged: number;
  deleted: number;
  /** Listed in the source, then deleted before it could be copied. */
  vanished: number;
  readonly refused: readonly RefusedKey[];
  readonly failures: BackfillFailure[];
  /** Deletion was skipped because it exceeded the cap. */
  deleteRefused: boolean;
  /**
   * The run was stopped before this directory's copies all started, or
   * before the directory itself started.
   */
  interrupted: boolean;
  /** CDN URLs of overwritten or deleted objects purged from the cache. */
  purged: number;
  /**
   * The first URL purged, printed so that a wrong CDN_BASE_URL shows: a
   * purge names URLs, not objects, and one for a URL of the zone that
   * serves nothing still succeeds.
   */
  firstPurged?: string;
  readonly purgeFailures: PurgeProblem[];
  /**
   * Why nothing was done in this directory: listing it (or reading what an
   * R2 object records) failed. The other directories still ran.
   */
  readonly error?: string;
}

/** The summary of `entry` before anything was listed or done. */
export function emptySummary(entry: RegistryEntry, dryRun = false): DirSummary {
  return {
    dir: entry.dir,
    bucket: entry.bucket,
    dryRun,
    toCopy: 0,
    toCopyBytes: 0,
    toDelete: 0,
    deleteCap: 0,
    copied: 0,
    bytes: 0,
    unchanged: 0,
    deleted: 0,
    vanished: 0,
    refused: [],
    failures: [],
    deleteRefused: false,
    interrupted: false,
    purged: 0,
    purgeFailures: [],
  };
}

/** Progress for a bar: the plan of a directory, then each copy. */
export type BackfillProgress =
  | {
      readonly kind: "planned";
      readonly dir: string;
      readonly objects: number;
      readonly bytes: number;
    }
  | {
      readonly kind: "copied" | "failed";
      readonly dir: string;
      readonly bytes: number;
    };

/** True when the run left something undone that needs attention. */
export function needsAttention(summaries: readonly DirSummary[]): boolean {
  return summaries.some(
    (summary) =>
      summary.failures.length > 0 ||
      summary.error !== undefined ||
      summary.purgeFailures.length > 0 ||
      summary.deleteRefused ||
      summary.interrupted,
  );
}
