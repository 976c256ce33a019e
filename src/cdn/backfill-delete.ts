/** Removing R2 objects that have no source, within a cap. */

import { forEachConcurrent } from "../shared/concurrency.ts";
import type { DirPlan } from "./backfill-plan.ts";
import type {
  BackfillPorts,
  ListedObject,
  SourceListing,
} from "./backfill-ports.ts";
import type { DirSummary } from "./backfill-summary.ts";
import { r2KeyFor } from "./keys.ts";

/** Default cap: a tenth of the directory, so a wrong bucket cannot empty it. */
export const DEFAULT_MAX_DELETE_FRACTION = 0.1;

/** Source HEADs in flight while confirming extras before deleting them. */
const RECHECK_CONCURRENCY = 16;

/** The deletion cap for a directory holding `targetCount` R2 objects. */
export function deleteCap(targetCount: number, maxDelete?: number): number {
  if (maxDelete !== undefined) return maxDelete;

  return Math.floor(targetCount * DEFAULT_MAX_DELETE_FRACTION);
}

/**
 * Deletes the plan's extra objects unless they exceed `cap` and the caller
 * did not force it; records the outcome on `summary` and resolves to the
 * R2 keys deleted.
 */
export async function deleteExtras(
  { source, target }: Pick<BackfillPorts, "source" | "target">,
  plan: DirPlan,
  summary: DirSummary,
  limits: { cap: number; force: boolean },
): Promise<string[]> {
  const extra = plan.diff.extra;
  if (extra.length === 0) return [];
  if (extra.length > limits.cap && !limits.force) {
    summary.deleteRefused = true;
    return [];
  }

  const { dir, bucket } = plan.entry;
  const orphans = await stillWithoutSource(source, bucket, extra, summary);
  const keys = orphans.map((object) => r2KeyFor(dir, object.key));
  let failedKeys: readonly string[];
  try {
    failedKeys = await target.deleteMany(keys);
  } catch (error) {
    for (const object of orphans) {
      const message = (error as Error).message;
      summary.failures.push({ key: object.key, action: "delete", message });
    }
    return [];
  }

  const prefix = `${dir}/`;
  for (const key of failedKeys) {
    summary.failures.push({
      key: key.slice(prefix.length),
      action: "delete",
      message: "R2 did not delete it",
    });
  }
  const failed = new Set(failedKeys);
  const deleted = keys.filter((key) => !failed.has(key));
  summary.deleted = deleted.length;

  return deleted;
}

/**
 * The extras whose source is still absent. An object created after the
 * source was listed may already have been mirrored by the sync before R2
 * was listed; it looks extra, but deleting it would lose a live object.
 * An extra that cannot be re-checked is kept and recorded as a failure.
 */
async function stillWithoutSource(
  source: SourceListing,
  bucket: string,
  extra: readonly ListedObject[],
  summary: DirSummary,
): Promise<ListedObject[]> {
  const orphans: ListedObject[] = [];
  await forEachConcurrent(extra, RECHECK_CONCURRENCY, async (object) => {
    try {
      if (!(await source.exists(bucket, object.key))) orphans.push(object);
    } catch (error) {
      summary.failures.push({
        key: object.key,
        action: "delete",
        message: `kept: the source could not be re-checked: ${(error as Error).message}`,
      });
    }
  });

  return orphans;
}
