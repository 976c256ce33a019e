/**
 * After a directory's copies and deletions, backfill purges the CDN URLs
 * of the R2 objects it overwrote or deleted, as the sync does after each
 * event; new objects have nothing cached. A failed purge is reported, not
 * retried: a rerun finds the objects the same and would not purge them.
 */
import type { DirSummary } from "./backfill-summary.ts";
import type { CachePurger } from "./ports.ts";
import { cdnUrlFor, type PurgeReport, purgeUrls } from "./purge.ts";

/** Cloudflare's cache for the CDN, as the sync's purger reaches it. */
export interface BackfillCache {
  readonly purger: CachePurger;
  /** The CDN's public base URL, without a trailing slash. */
  readonly cdnBaseUrl: string;
}

/**
 * Purges the CDN URLs of `r2Keys` in batches, counting them on `summary`.
 * After an abort nothing is sent (the user asked to stop at once); the
 * URLs are reported as not purged instead.
 */
export async function purgeReplaced(
  cache: BackfillCache,
  r2Keys: readonly string[],
  summary: DirSummary,
  signal?: AbortSignal,
): Promise<void> {
  const urls = r2Keys.map((key) => cdnUrlFor(cache.cdnBaseUrl, key));
  if (urls.length === 0) return;
  if (signal?.aborted) {
    summary.purgeFailures.push({
      urls: urls.length,
      first: urls[0] ?? "",
      message: "not sent: the run was aborted",
    });
    return;
  }

  const report = await purgeUrls(cache.purger, urls);
  summary.purged += report.purged;
  summary.firstPurged ??= firstPurged(urls, report);
  for (const failure of report.failures) {
    summary.purgeFailures.push({
      urls: failure.urls.length,
      first: failure.urls[0] ?? "",
      message: failure.error.message,
    });
  }
}

/** The first of `urls` that no failed batch of `report` holds. */
function firstPurged(
  urls: readonly string[],
  report: PurgeReport,
): string | undefined {
  const failed = new Set(report.failures.flatMap((failure) => failure.urls));

  return urls.find((url) => !failed.has(url));
}
