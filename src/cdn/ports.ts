/**
 * What the CDN sync needs from the outside world. Adapters in `aws/` and
 * `cloudflare/` implement these with the SDKs; the domain sees plain data
 * and Node streams.
 */
import type { Readable } from "node:stream";
import type { Registry } from "./types.ts";

/** The registered buckets, read from SSM. */
export interface RegistrySource {
  /**
   * The registry, possibly cached. `fresh` asks for a re-read, e.g. when an
   * event names a bucket the cached copy lacks; a source may still answer
   * from a cache younger than a few seconds.
   */
  load(options?: { fresh?: boolean }): Promise<Registry>;
}

/** HTTP headers an object keeps when it is mirrored. */
export interface ObjectHeaders {
  readonly contentType?: string;
  readonly cacheControl?: string;
  readonly contentDisposition?: string;
  readonly contentEncoding?: string;
  readonly contentLanguage?: string;
}

/** What HeadObject says about an object that exists. */
export interface ObjectHead {
  /** Without the surrounding quotes S3 puts on ETags. */
  readonly etag: string;
  /** Absent for unversioned buckets (S3 reports "null" there). */
  readonly versionId?: string;
  readonly size: number;
  readonly headers: ObjectHeaders;
  /** User metadata (`x-amz-meta-*`), keys in lower case. */
  readonly metadata: Readonly<Record<string, string>>;
}

/** An object opened for reading; `body` must be consumed or destroyed. */
export interface ObjectBody extends ObjectHead {
  readonly body: Readable;
}

/** The source buckets, read-only. */
export interface SourceBuckets {
  /** The object's current state, or undefined if it is gone. */
  head(bucket: string, key: string): Promise<ObjectHead | undefined>;
  /** The object with its bytes, or undefined if it is gone. */
  open(bucket: string, key: string): Promise<ObjectBody | undefined>;
}

/** The R2 bucket, addressed by full R2 keys (`<dir>/<key>`). */
export interface MirrorStore {
  head(key: string): Promise<ObjectHead | undefined>;
  /**
   * Streams `object.body` to `key` with its headers and `metadata`; large
   * bodies go up in parts, with bounded memory.
   */
  put(
    key: string,
    object: ObjectBody,
    metadata: Readonly<Record<string, string>>,
  ): Promise<void>;
  /** Removes `key`; succeeds when it is already absent. */
  delete(key: string): Promise<void>;
}

/** Cloudflare's cache, for objects whose CDN URL now serves new bytes. */
export interface CachePurger {
  /** Purges `urls`; rejects with CdnPurgeError on failure. */
  purge(urls: readonly string[]): Promise<void>;
}
