/**
 * How an R2 object records the source version it holds, and when it counts
 * as already mirrored. Shared by the sync and by backfill.
 */
import type { ObjectHead } from "./ports.ts";
import { SOURCE_ETAG_METADATA, SOURCE_VERSION_METADATA } from "./types.ts";

const RECORD_KEYS = new Set([SOURCE_ETAG_METADATA, SOURCE_VERSION_METADATA]);

/** The ETag without the quotes S3 and R2 put around it. */
export function bareEtag(etag: string): string {
  return etag.replace(/^W\//, "").replace(/^"(.*)"$/, "$1");
}

/** Source user metadata plus the record of which version it came from. */
export function mirrorMetadata(source: ObjectHead): Record<string, string> {
  return {
    ...userMetadata(source.metadata),
    [SOURCE_ETAG_METADATA]: source.etag,
    ...(source.versionId
      ? { [SOURCE_VERSION_METADATA]: source.versionId }
      : {}),
  };
}

/**
 * True when `mirrored` holds the same version of `source` with the same
 * headers and user metadata. Headers are compared too because re-uploading
 * the same bytes with a new Cache-Control keeps the ETag of an unversioned
 * object.
 */
export function isMirrored(source: ObjectHead, mirrored: ObjectHead): boolean {
  const metadata = mirrored.metadata;
  if (metadata[SOURCE_ETAG_METADATA] !== source.etag) return false;
  if ((metadata[SOURCE_VERSION_METADATA] ?? "") !== (source.versionId ?? "")) {
    return false;
  }
  if (mirrored.size !== source.size) return false;

  return sameHeadersAndMetadata(source, mirrored);
}

/**
 * True when both carry the same mirrored headers (Content-Type,
 * Cache-Control, Content-Disposition, Content-Encoding, Content-Language)
 * and user metadata, ignoring the record of the source version.
 */
export function sameHeadersAndMetadata(
  source: ObjectHead,
  mirrored: ObjectHead,
): boolean {
  return (
    sameRecord({ ...source.headers }, { ...mirrored.headers }) &&
    sameRecord(userMetadata(source.metadata), userMetadata(mirrored.metadata))
  );
}

function userMetadata(
  metadata: Readonly<Record<string, string>>,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(metadata).filter(([key]) => !RECORD_KEYS.has(key)),
  );
}

function sameRecord(
  a: Record<string, string | undefined>,
  b: Record<string, string | undefined>,
): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);

  return [...keys].every((key) => (a[key] ?? "") === (b[key] ?? ""));
}
