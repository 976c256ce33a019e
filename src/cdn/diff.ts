/**
 * Compares a source bucket's listing with its R2 directory's listing.
 *
 * Listings carry no user metadata, so the comparison is two-step: equal
 * size and equal ETag means the same bytes (a single PUT of identical
 * bytes gets the same MD5 ETag in S3, R2 and s3rver). Equal size with a
 * different ETag is "unsure" (the source or R2 copy was a multipart
 * upload, whose ETag is not the MD5 of the bytes and differs between S3,
 * R2 and s3rver); `settleUnsure` reads the source ETag the R2 object
 * recorded to decide.
 */

import { forEachConcurrent } from "../shared/concurrency.ts";
import type { ListedObject } from "./backfill-ports.ts";

/** A key present on both sides. */
export interface ObjectPair {
  readonly source: ListedObject;
  readonly target: ListedObject;
}

/** How the two listings differ, by key relative to the directory. */
export interface ListingDiff {
  /** In the source, absent from R2. */
  readonly missing: readonly ListedObject[];
  /** On both sides with different content. */
  readonly different: readonly ObjectPair[];
  /** In R2 with no source object. */
  readonly extra: readonly ListedObject[];
  /** On both sides with the same content. */
  readonly same: readonly ObjectPair[];
  /** Same size, different ETag: needs the recorded source ETag. */
  readonly unsure: readonly ObjectPair[];
}

/** Reads the source ETag recorded on an R2 object, by relative key. */
export type StoredEtagReader = (key: string) => Promise<string | undefined>;

/** ETags compare without their surrounding quotes. */
export function normaliseEtag(etag: string): string {
  return etag.replace(/^(W\/)?"|"$/g, "");
}

/** Compares the listings; pure, and order-independent. */
export function diffListings(
  source: Iterable<ListedObject>,
  target: Iterable<ListedObject>,
): ListingDiff {
  const remaining = new Map<string, ListedObject>();
  for (const object of target) remaining.set(object.key, object);

  const missing: ListedObject[] = [];
  const different: ObjectPair[] = [];
  const same: ObjectPair[] = [];
  const unsure: ObjectPair[] = [];
  for (const object of source) {
    const copy = remaining.get(object.key);
    if (!copy) {
      missing.push(object);
      continue;
    }
    remaining.delete(object.key);

    const pair = { source: object, target: copy };
    if (copy.size !== object.size) different.push(pair);
    else if (normaliseEtag(copy.etag) === normaliseEtag(object.etag)) {
      same.push(pair);
    } else unsure.push(pair);
  }

  return { missing, different, extra: [...remaining.values()], same, unsure };
}

/**
 * Resolves every unsure pair into same or different by comparing the
 * source ETag with the one recorded on the R2 object.
 */
export async function settleUnsure(
  diff: ListingDiff,
  readStoredEtag: StoredEtagReader,
  concurrency: number,
): Promise<ListingDiff> {
  const same = [...diff.same];
  const different = [...diff.different];

  await forEachConcurrent(diff.unsure, concurrency, async (pair) => {
    const stored = await readStoredEtag(pair.target.key);
    const matches =
      stored !== undefined &&
      normaliseEtag(stored) === normaliseEtag(pair.source.etag);
    (matches ? same : different).push(pair);
  });

  return { ...diff, same, different, unsure: [] };
}
