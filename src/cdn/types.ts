/** One registered bucket: objects of `bucket` are mirrored under `dir/`. */
export interface RegistryEntry {
  /** R2 directory without slashes at either end, e.g. `anime/covers`. */
  readonly dir: string;
  readonly bucket: string;
  /** The SSM parameter that registered it, named in errors. */
  readonly parameter: string;
}

/** Every registered bucket, sorted by directory. */
export type Registry = readonly RegistryEntry[];

/**
 * R2 object metadata that records which source version an R2 object holds,
 * so sync and backfill can tell "already mirrored" without reading bodies.
 */
export const SOURCE_ETAG_METADATA = "source-etag";
export const SOURCE_VERSION_METADATA = "source-version-id";
