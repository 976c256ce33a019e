/**
 * `verify --deep`: listings carry no headers or user metadata, so pairs
 * the listings call the same are read on both sides with a HEAD each and
 * compared the way the sync compares them. Opt-in: two HEADs per object
 * is slow for buckets of millions.
 */
import { forEachConcurrent } from "../shared/concurrency.ts";
import type { ObjectHeads } from "./backfill-ports.ts";
import type { ObjectPair } from "./diff.ts";
import { r2KeyFor } from "./keys.ts";
import { sameHeadersAndMetadata } from "./mirror-state.ts";
import type { RegistryEntry } from "./types.ts";

/** Pairs compared at once; each costs two HEADs. */
const DEEP_CONCURRENCY = 16;

/** What the HEADs found, by key relative to the directory, sorted. */
export interface DeepComparison {
  /** Other headers or user metadata in R2 than in the source. */
  readonly metadata: readonly string[];
  /**
   * Listed on both sides, then gone from either before its HEAD: compared
   * neither way. The next verify lists it as missing or extra, if at all.
   */
  readonly gone: readonly string[];
}

/** Reads each of `pairs` on both sides and compares what the HEADs say. */
export async function metadataDifferences(
  heads: ObjectHeads,
  entry: RegistryEntry,
  pairs: readonly ObjectPair[],
): Promise<DeepComparison> {
  const metadata: string[] = [];
  const gone: string[] = [];
  await forEachConcurrent(pairs, DEEP_CONCURRENCY, async ({ source }) => {
    const [original, mirrored] = await Promise.all([
      heads.source(entry.bucket, source.key),
      heads.target(r2KeyFor(entry.dir, source.key)),
    ]);
    if (!original || !mirrored) gone.push(source.key);
    else if (!sameHeadersAndMetadata(original, mirrored)) {
      metadata.push(source.key);
    }
  });

  // The HEADs finish in any order; sorted, the report reads the same twice.
  return { metadata: metadata.sort(), gone: gone.sort() };
}
