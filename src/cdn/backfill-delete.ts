/** Removing R2 objects that have no source, within a cap. */
import type { DirPlan } from "./backfill-plan.ts";
import type { MirrorTarget } from "./backfill-ports.ts";
import type { DirSummary } from "./backfill-summary.ts";
import { r2KeyFor } from "./keys.ts";

/** Default cap: a tenth of the directory, so a wrong bucket cannot empty it. */
export const DEFAULT_MAX_DELETE_FRACTION = 0.1;

/** The deletion cap for a directory holding `targetCount` R2 objects. */
export function deleteCap(targetCount: number, maxDelete?: number): number {
  if (maxDelete !== undefined) return maxDelete;

  return Math.floor(targetCount * DEFAULT_MAX_DELETE_FRACTION);
}

/**
 * Deletes the plan's extra objects unless they exceed `cap` and the caller
 * did not force it; records the outcome on `summary`.
 */
export async function deleteExtras(
  target: MirrorTarget,
  plan: DirPlan,
  summary: DirSummary,
  limits: { cap: number; force: boolean },
): Promise<DirSummary> {
  const extra = plan.diff.extra;
  if (extra.length === 0) return summary;
  if (extra.length > limits.cap && !limits.force) {
    summary.deleteRefused = true;
    return summary;
  }

  const dir = plan.entry.dir;
  const keys = extra.map((object) => r2KeyFor(dir, object.key));
  let failedKeys: readonly string[];
  try {
    failedKeys = await target.deleteMany(keys);
  } catch (error) {
    for (const object of extra) {
      const message = (error as Error).message;
      summary.failures.push({ key: object.key, action: "delete", message });
    }
    return summary;
  }

  const prefix = `${dir}/`;
  for (const key of failedKeys) {
    summary.failures.push({
      key: key.slice(prefix.length),
      action: "delete",
      message: "R2 did not delete it",
    });
  }
  summary.deleted = extra.length - failedKeys.length;

  return summary;
}
