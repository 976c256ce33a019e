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

/**
 * The keys (relative to the directory) of `pairs` whose R2 copy has other
 * headers or user metadata than its source. A key gone from either side
 * since the listing is left out: the next verify lists it as missing or
 * extra.
 */
export async function metadataDifferences(
  heads: ObjectHeads,
  entry: RegistryEntry,
  pairs: readonly ObjectPair[],
): Promise<string[]> {
  const keys: string[] = [];
  await forEachConcurrent(pairs, DEEP_CONCURRENCY, async ({ source }) => {
    const [original, mirrored] = await Promise.all([
      heads.source(entry.bucket, source.key),
      heads.target(r2KeyFor(entry.dir, source.key)),
    ]);
    if (!original || !mirrored) return;
    if (!sameHeadersAndMetadata(original, mirrored)) keys.push(source.key);
  });

  return keys;
}
