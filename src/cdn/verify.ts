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
import type { BackfillPorts, ObjectHeads } from "./backfill-ports.ts";
import { CdnError } from "./errors.ts";
import type { Registry, RegistryEntry } from "./types.ts";
import { type DeepComparison, metadataDifferences } from "./verify-deep.ts";

/**
 * One difference, by key relative to the directory. `metadata` (only with
 * `heads`): same bytes, other headers or user metadata.
 */
export interface Difference {
  readonly kind: "missing" | "extra" | "different" | "metadata";
  readonly key: string;
}

export interface VerifyOptions {
  /** Also compare headers and user metadata: two HEADs per object. */
  readonly heads?: ObjectHeads;
}

/** What verify found in one directory. */
export interface DirVerification {
  readonly dir: string;
  readonly bucket: string;
  /** Objects present and identical on both sides. */
  readonly same: number;
  /**
   * With `heads`: keys listed the same on both sides but gone from one of
   * them by the time of their HEAD, so neither counted same nor compared.
   */
  readonly gone: readonly string[];
  /** Sorted by key, then kind. */
  readonly differences: readonly Difference[];
  /** Source keys that R2 cannot hold; reported, not counted as differences. */
  readonly refused: readonly RefusedKey[];
  /** Why the directory could not be compared: a listing, or a HEAD, failed. */
  readonly error?: string;
}

/** Compares every selected directory with its source bucket. */
export async function verify(
  ports: BackfillPorts,
  registry: Registry,
  r2Bucket: string,
  dirs: readonly string[] = [],
  options: VerifyOptions = {},
): Promise<DirVerification[]> {
  const results: DirVerification[] = [];
  for (const entry of selectEntries(registry, dirs)) {
    results.push(await verifyDir(ports, entry, r2Bucket, options));
  }

  return results;
}

/** One directory; a read failure is its result, not the whole run's. */
async function verifyDir(
  ports: BackfillPorts,
  entry: RegistryEntry,
  r2Bucket: string,
  options: VerifyOptions,
): Promise<DirVerification> {
  const { dir, bucket } = entry;
  let plan: DirPlan;
  let deep: DeepComparison = { metadata: [], gone: [] };
  try {
    plan = await planDir(ports, entry, r2Bucket);
    if (options.heads) {
      deep = await metadataDifferences(options.heads, entry, plan.diff.same);
    }
  } catch (error) {
    if (!(error instanceof CdnError)) throw error;
    return {
      dir,
      bucket,
      same: 0,
      gone: [],
      differences: [],
      refused: [],
      error: error.message,
    };
  }

  const { diff, refused } = plan;
  const { metadata, gone } = deep;
  const differences: Difference[] = [
    ...diff.missing.map((o) => ({ kind: "missing" as const, key: o.key })),
    ...diff.extra.map((o) => ({ kind: "extra" as const, key: o.key })),
    ...diff.different.map((p) => ({
      kind: "different" as const,
      key: p.source.key,
    })),
    ...metadata.map((key) => ({ kind: "metadata" as const, key })),
  ].sort((a, b) => compare(a.key, b.key) || compare(a.kind, b.kind));
  const same = diff.same.length - metadata.length - gone.length;

  return { dir, bucket, same, gone, differences, refused };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
