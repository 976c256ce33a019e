/**
 * What backfill and verify need from the outside: listings of the source
 * bucket and of the R2 directory, a way to read the source ETag an R2
 * object records, a copier for object bodies, and batch deletion.
 */
import type { ObjectHead } from "./ports.ts";

/** One object as a listing reports it. */
export interface ListedObject {
  /** Relative to the bucket (source) or to `<dir>/` (R2). */
  readonly key: string;
  readonly size: number;
  /** Without surrounding quotes. */
  readonly etag: string;
}

/** Pages through the objects of a bucket (or of one prefix of it). */
export interface ObjectListing {
  /**
   * Yields pages in listing order; keys are relative to `prefix`. Once
   * `signal` aborts, the page request in flight is cut off.
   */
  list(
    bucket: string,
    prefix?: string,
    signal?: AbortSignal,
  ): AsyncIterable<readonly ListedObject[]>;
}

/** The source buckets: listed, and asked again before R2 loses a copy. */
export interface SourceListing extends ObjectListing {
  /** Whether `key` exists in `bucket` now. */
  exists(bucket: string, key: string): Promise<boolean>;
}

/** The R2 side: what backfill reads and removes there. */
export interface MirrorTarget extends ObjectListing {
  /**
   * The source ETag recorded in the metadata of R2 object `key` (full R2
   * key), or undefined when the object records none or is gone.
   */
  storedSourceEtag(key: string): Promise<string | undefined>;
  /** Deletes full R2 keys; returns the keys that could not be deleted. */
  deleteMany(keys: readonly string[]): Promise<readonly string[]>;
}

/** One object to copy from a source bucket to an R2 key. */
export interface CopyRequest {
  readonly bucket: string;
  readonly key: string;
  readonly targetKey: string;
  /** From the listing; picks single PUT or multipart before the GET. */
  readonly size: number;
}

/** Copies object bodies, headers and metadata from source to R2. */
export interface ObjectCopier {
  /**
   * Resolves to the number of bytes written to R2, or undefined when the
   * source object no longer exists (deleted since it was listed).
   */
  copy(request: CopyRequest, signal?: AbortSignal): Promise<number | undefined>;
}

/** Both sides' HEADs, for `verify --deep`: headers and user metadata. */
export interface ObjectHeads {
  /** The source object now, or undefined when it is gone. */
  source(bucket: string, key: string): Promise<ObjectHead | undefined>;
  /** R2 object `key` (full R2 key) now, or undefined when it is gone. */
  target(key: string): Promise<ObjectHead | undefined>;
}

/** Everything backfill and verify work against. */
export interface BackfillPorts {
  readonly source: SourceListing;
  readonly target: MirrorTarget;
  readonly copier: ObjectCopier;
}
