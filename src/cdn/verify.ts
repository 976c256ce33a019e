/**
 * Verify: list every selected directory on both sides and report each
 * difference, changing nothing.
 */

import {
  type DirPlan,
  planDir,
  type RefusedKey,
  selectEntries,
} from "./backfill-plan.ts";
import type { BackfillPorts } from "./backfill-ports.ts";
import { CdnError } from "./errors.ts";
import type { Registry, RegistryEntry } from "./types.ts";

/** One difference, by key relative to the directory. */
export interface Difference {
  readonly kind: "missing" | "extra" | "different";
  readonly key: string;
}

/** What verify found in one directory. */
export interface DirVerification {
  readonly dir: string;
  readonly bucket: string;
  /** Objects present and identical on both sides. */
  readonly same: number;
  /** Sorted by key, then kind. */
  readonly differences: readonly Difference[];
  /** Source keys that R2 cannot hold; reported, not counted as differences. */
  readonly refused: readonly RefusedKey[];
  /** Why the directory could not be compared (a listing failed). */
  readonly error?: string;
}

/** Compares every selected directory with its source bucket. */
export async function verify(
  ports: BackfillPorts,
  registry: Registry,
  r2Bucket: string,
  dirs: readonly string[] = [],
): Promise<DirVerification[]> {
  const results: DirVerification[] = [];
  for (const entry of selectEntries(registry, dirs)) {
    results.push(await verifyDir(ports, entry, r2Bucket));
  }

  return results;
}

/** One directory; a listing failure is its result, not the whole run's. */
async function verifyDir(
  ports: BackfillPorts,
  entry: RegistryEntry,
  r2Bucket: string,
): Promise<DirVerification> {
  const { dir, bucket } = entry;
  let plan: DirPlan;
  try {
    plan = await planDir(ports, entry, r2Bucket);
  } catch (error) {
    if (!(error instanceof CdnError)) throw error;
    return {
      dir,
      bucket,
      same: 0,
      differences: [],
      refused: [],
      error: error.message,
    };
  }

  const { diff, refused } = plan;
  const differences: Difference[] = [
    ...diff.missing.map((o) => ({ kind: "missing" as const, key: o.key })),
    ...diff.extra.map((o) => ({ kind: "extra" as const, key: o.key })),
    ...diff.different.map((p) => ({
      kind: "different" as const,
      key: p.source.key,
    })),
  ].sort((a, b) => compare(a.key, b.key) || compare(a.kind, b.kind));

  return { dir, bucket, same: diff.same.length, differences, refused };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
