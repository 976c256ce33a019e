/**
 * Cache purges after an overwrite or a delete: the CDN URL of each changed
 * object, sent to Cloudflare in batches. A failed batch is reported, not
 * retried here: the next change purges again, and cache TTLs bound the rest.
 */
import type { CachePurger } from "./ports.ts";

/**
 * URLs per purge call. Cloudflare's limit was 30 files per call on every
 * plan and is now 100 (https://developers.cloudflare.com/cache/how-to/purge-cache/);
 * the older, lower figure is safe on any account.
 */
export const PURGE_BATCH_SIZE = 30;

/** Path characters browsers send literally; everything else is encoded. */
const LITERAL_IN_PATH = /%(21|24|26|27|28|29|2A|2B|2C|3A|3B|3D|40)/gi;

/** The public URL of R2 key `r2Key` under `baseUrl` (no trailing slash). */
export function cdnUrlFor(baseUrl: string, r2Key: string): string {
  const path = r2Key
    .split("/")
    .map((segment) =>
      encodeURIComponent(segment).replace(LITERAL_IN_PATH, (encoded) =>
        decodeURIComponent(encoded),
      ),
    )
    .join("/");

  return `${baseUrl}/${path}`;
}

export interface PurgeReport {
  readonly purged: number;
  readonly failures: readonly PurgeFailure[];
}

export interface PurgeFailure {
  readonly urls: readonly string[];
  readonly error: Error;
}

/** Purges `urls` (deduplicated) in batches; collects failures. */
export async function purgeUrls(
  purger: CachePurger,
  urls: Iterable<string>,
): Promise<PurgeReport> {
  const unique = [...new Set(urls)];
  const failures: PurgeFailure[] = [];
  let purged = 0;
  for (let start = 0; start < unique.length; start += PURGE_BATCH_SIZE) {
    const batch = unique.slice(start, start + PURGE_BATCH_SIZE);
    try {
      await purger.purge(batch);
      purged += batch.length;
    } catch (error) {
      failures.push({ urls: batch, error: error as Error });
    }
  }

  return { purged, failures };
}
