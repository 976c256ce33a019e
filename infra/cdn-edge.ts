/**
 * The CDN's edge on Cloudflare: `cdn.<domain>` served from the R2 bucket,
 * and a cache rule (a ruleset, not a page rule) for that host.
 */
import * as cloudflare from "@pulumi/cloudflare";
import type { DeployContext } from "./context.ts";

/** `cdn.<domain>` on the R2 bucket, and a cache rule for that host. */
export function serveBucket(
  name: string,
  context: DeployContext,
  r2Bucket: cloudflare.R2Bucket,
  host: string,
): void {
  const { config, zone } = context;
  new cloudflare.R2CustomDomain(`${name}-domain`, {
    accountId: config.cloudflareAccountId,
    bucketName: r2Bucket.name,
    domain: host,
    zoneId: zone.zoneId,
    enabled: true,
    minTls: config.minTlsVersion,
  });
  new cloudflare.Ruleset(`${name}-cache-rules`, {
    zoneId: zone.zoneId,
    name: "api-core cache rules",
    description: "Cache everything served from the CDN host",
    kind: "zone",
    phase: "http_request_cache_settings",
    rules: [
      {
        ref: "cache_cdn_host",
        description: `Cache everything on ${host}`,
        expression: `(http.host eq "${host}")`,
        action: "set_cache_settings",
        actionParameters: {
          cache: true,
          edgeTtl: { mode: "respect_origin" },
        },
        enabled: true,
      },
    ],
  });
}
