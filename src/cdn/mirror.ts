/**
 * Makes one R2 object match the current state of its source object. Events
 * only say which key to look at, so running this twice, late or out of
 * order still converges on the source.
 */
import { CdnSourceUnavailableError } from "./errors.ts";
import { mirrorKeyFor } from "./keys.ts";
import { isMirrored, mirrorMetadata } from "./mirror-state.ts";
import type { MirrorStore, SourceBuckets } from "./ports.ts";
import type { RegistryEntry } from "./types.ts";

/**
 * What mirroring did: `copied` (R2 was missing or different), `unchanged`
 * (R2 already held this version), `deleted` (source gone, R2 object
 * removed) or `absent` (source gone and R2 had nothing either).
 */
export type MirrorOutcome = "copied" | "unchanged" | "deleted" | "absent";

export interface MirrorResult {
  readonly outcome: MirrorOutcome;
  readonly r2Key: string;
  /**
   * Whether an R2 object that may be cached was overwritten or deleted,
   * so its CDN URL needs a purge.
   */
  readonly replaced: boolean;
  /** For `copied`: the source version and size that were written. */
  readonly etag?: string;
  readonly versionId?: string;
  readonly size?: number;
}

export interface MirrorDeps {
  readonly source: SourceBuckets;
  readonly r2: MirrorStore;
}

/**
 * A copy is checked against the source afterwards; if the source changed
 * meanwhile, the mirror is redone this many times before giving up (the
 * event is then retried).
 */
export const MAX_MIRROR_PASSES = 3;

/**
 * Mirrors `key` of the bucket registered as `entry`. Throws
 * CdnKeyRefusedError for keys R2 cannot hold; other errors are transient.
 */
export async function mirrorObject(
  deps: MirrorDeps,
  entry: RegistryEntry,
  key: string,
): Promise<MirrorResult> {
  const r2Key = mirrorKeyFor(entry.dir, key);
  let replaced = false;
  for (let pass = 1; pass <= MAX_MIRROR_PASSES; pass += 1) {
    const result = await mirrorPass(deps, entry, key, r2Key);
    replaced ||= result.replaced;
    if (result.outcome !== "copied") return { ...result, replaced };

    // Another worker may have handled a later event for this key while we
    // streamed; re-reading the source after the write catches it.
    const after = await deps.source.head(entry.bucket, key);
    if (after?.etag === result.etag && after?.versionId === result.versionId) {
      return { ...result, replaced };
    }
  }

  throw new CdnSourceUnavailableError(
    `s3://${entry.bucket}/${key} kept changing during ${MAX_MIRROR_PASSES} copies`,
  );
}

async function mirrorPass(
  deps: MirrorDeps,
  entry: RegistryEntry,
  key: string,
  r2Key: string,
): Promise<MirrorResult> {
  const [source, mirrored] = await Promise.all([
    deps.source.head(entry.bucket, key),
    deps.r2.head(r2Key),
  ]);
  if (!source) return removeMirror(deps, r2Key, mirrored !== undefined);
  if (mirrored && isMirrored(source, mirrored)) {
    return { outcome: "unchanged", r2Key, replaced: false };
  }

  // The object may change between HEAD and GET; the GET response describes
  // the bytes actually streamed, so its ETag is the one recorded.
  const object = await deps.source.open(entry.bucket, key);
  if (!object) return removeMirror(deps, r2Key, mirrored !== undefined);
  await deps.r2.put(r2Key, object, mirrorMetadata(object));

  return {
    outcome: "copied",
    r2Key,
    replaced: mirrored !== undefined,
    etag: object.etag,
    versionId: object.versionId,
    size: object.size,
  };
}

async function removeMirror(
  deps: MirrorDeps,
  r2Key: string,
  present: boolean,
): Promise<MirrorResult> {
  if (!present) return { outcome: "absent", r2Key, replaced: false };

  await deps.r2.delete(r2Key);

  return { outcome: "deleted", r2Key, replaced: true };
}
