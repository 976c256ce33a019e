/** Cloudflare's cache purge, through the official `cloudflare` package. */
import type Cloudflare from "cloudflare";
import { CdnPurgeError } from "../cdn/errors.ts";
import type { CachePurger } from "../cdn/ports.ts";

export const CLOUDFLARE_API_BASE_URL = "https://api.cloudflare.com/client/v4";

/**
 * One retry at most: a purge runs inside the sync's invocation, and a stale
 * cache entry is a lesser harm than a Lambda stuck waiting on Cloudflare.
 */
const PURGE_MAX_RETRIES = 1;
const PURGE_TIMEOUT_MS = 10_000;

export interface PurgeClientOptions {
  readonly zoneId: string;
  readonly apiToken: string;
  /** Overrides the API for tests; the real API otherwise. */
  readonly baseUrl?: string;
}

/** A CachePurger for one zone; failures become CdnPurgeError. */
export function cloudflarePurger(options: PurgeClientOptions): CachePurger {
  // The SDK is most of the sync's bundle; load it only once a purge is due,
  // so cold starts without purging (the default) do not pay for it.
  let client: Promise<Cloudflare> | undefined;
  const connect = async () => {
    const { default: Sdk } = await import("cloudflare");

    return new Sdk({
      apiToken: options.apiToken,
      baseURL: options.baseUrl ?? CLOUDFLARE_API_BASE_URL,
      maxRetries: PURGE_MAX_RETRIES,
      timeout: PURGE_TIMEOUT_MS,
    });
  };

  return {
    async purge(urls) {
      try {
        client ??= connect();
        await (await client).cache.purge({
          zone_id: options.zoneId,
          files: [...urls],
        });
      } catch (error) {
        const status = (error as { status?: number }).status;
        throw new CdnPurgeError(
          `Cloudflare refused to purge ${urls.length} URLs${status ? ` (HTTP ${status})` : ""}`,
          { cause: error },
        );
      }
    },
  };
}

/** The Cloudflare settings of the CDN configuration (src/config.ts). */
export interface PurgeSettings {
  readonly CLOUDFLARE_ZONE_ID?: string | undefined;
  readonly CLOUDFLARE_API_TOKEN?: string | undefined;
  readonly CLOUDFLARE_API_BASE_URL?: string | undefined;
}

/**
 * The purger the settings allow, or undefined: purging needs both a zone
 * and a token with purge permission, and is off without them.
 */
export function purgerFromSettings(
  settings: PurgeSettings,
): CachePurger | undefined {
  const { CLOUDFLARE_ZONE_ID: zoneId, CLOUDFLARE_API_TOKEN: apiToken } =
    settings;
  if (!zoneId || !apiToken) return undefined;

  return cloudflarePurger({
    zoneId,
    apiToken,
    baseUrl: settings.CLOUDFLARE_API_BASE_URL,
  });
}
