/**
 * Where the bulk copier sends requests for one S3-compatible service, and
 * with which credentials: taken from an SDK S3Client so the bulk path and
 * the control calls agree on region, endpoint and credentials.
 */
import type { S3Client } from "@aws-sdk/client-s3";
import { encodeKeyPath, type SigningCredentials } from "./bulk-signer.ts";

/** One S3-compatible service as the bulk copier addresses it. */
export interface BulkEndpoint {
  readonly region: string;
  /** Custom endpoint (R2, s3rver), or undefined for AWS S3. */
  readonly endpoint: URL | undefined;
  readonly forcePathStyle: boolean;
  /** Called per request; the SDK's providers cache and refresh. */
  readonly credentials: () => Promise<SigningCredentials>;
}

/** Reads the region, endpoint and credential provider of `client`. */
export async function bulkEndpointOf(client: S3Client): Promise<BulkEndpoint> {
  const config = client.config;
  const region = await config.region();
  const endpoint = config.endpoint ? await config.endpoint() : undefined;
  const base = endpoint
    ? new URL(
        `${endpoint.protocol}//${endpoint.hostname}${endpoint.port ? `:${endpoint.port}` : ""}${endpoint.path}`,
      )
    : undefined;

  return {
    region,
    endpoint: base,
    forcePathStyle: Boolean(config.forcePathStyle),
    credentials: () => config.credentials(),
  };
}

/**
 * The URL of `key` in `bucket`. Virtual-hosted on AWS (path-style is
 * deprecated there) unless the bucket name has dots, which TLS wildcard
 * certificates do not cover; path-style on custom endpoints when asked.
 */
export function objectUrl(
  target: BulkEndpoint,
  bucket: string,
  key: string,
  query?: Record<string, string>,
): URL {
  const path = encodeKeyPath(key);
  let url: URL;
  if (target.endpoint) {
    const base = target.endpoint.pathname.replace(/\/+$/, "");
    url = new URL(target.endpoint);
    if (target.forcePathStyle) url.pathname = `${base}/${bucket}/${path}`;
    else {
      url.hostname = `${bucket}.${url.hostname}`;
      url.pathname = `${base}/${path}`;
    }
  } else if (bucket.includes(".")) {
    url = new URL(
      `https://s3.${target.region}.amazonaws.com/${bucket}/${path}`,
    );
  } else {
    url = new URL(
      `https://${bucket}.s3.${target.region}.amazonaws.com/${path}`,
    );
  }
  for (const [name, value] of Object.entries(query ?? {})) {
    url.searchParams.set(name, value);
  }

  return url;
}
