/**
 * What backfill and verify run against: the source buckets, R2 and the
 * registry, as SDK clients. The CLI builds them from configuration (AWS by
 * default, explicit endpoints for local engines); the local core and tests
 * can pass their own.
 */
import { S3Client } from "@aws-sdk/client-s3";
import { SSMClient } from "@aws-sdk/client-ssm";
import type { BackfillPorts, ObjectHeads } from "../cdn/backfill-ports.ts";
import type { BackfillCache } from "../cdn/backfill-purge.ts";
import {
  CdnSourceUnavailableError,
  CdnTargetUnavailableError,
} from "../cdn/errors.ts";
import { parseRegistry } from "../cdn/registry.ts";
import type { Registry } from "../cdn/types.ts";
import { purgerFromSettings } from "../cloudflare/purge-client.ts";
import { createR2Client } from "../cloudflare/r2-client.ts";
import { awsConfig, cdnConfig, cdnRegistryConfig } from "../config.ts";
import { readEndpointsFile } from "../local/endpoints-file.ts";
import { BulkCopier } from "./bulk-copier.ts";
import { bulkEndpointOf } from "./bulk-endpoint.ts";
import { R2MirrorTarget, S3ObjectListing } from "./bulk-listing.ts";
import { headObject } from "./cdn-objects.ts";
import { loadR2Credentials } from "./cdn-secret.ts";
import { clientOptions, createAwsClients, s3Options } from "./clients.ts";
import { loadRegistry } from "./ssm-registry.ts";

/** The two sides of the mirror and the registry that pairs them. */
export interface CdnTargets {
  /** The client that reads `bucket` (one per account or region). */
  readonly sourceS3: (bucket: string) => S3Client;
  readonly r2: S3Client;
  readonly r2Bucket: string;
  readonly registry: Registry;
  /** Set when a zone and a purge token are configured, as for the sync. */
  readonly cache?: BackfillCache;
}

type Env = Record<string, string | undefined>;

/**
 * Targets from validated configuration: the registry from SSM, R2 keys
 * from the Secrets Manager secret, endpoints from the environment, and
 * the sync's cache purge when CLOUDFLARE_ZONE_ID and CLOUDFLARE_API_TOKEN
 * are set.
 */
export async function cdnTargetsFromConfig(
  env: Env = process.env,
): Promise<CdnTargets> {
  const cdn = cdnConfig(env);
  const aws = createAwsClients(awsConfig(env));
  const [registry, credentials] = await Promise.all([
    loadRegistry(aws.ssm, cdn.CDN_REGISTRY_PREFIX),
    loadR2Credentials(aws.secrets, cdn.CDN_SECRET_NAME),
  ]);
  const purger = purgerFromSettings(cdn);

  return {
    sourceS3: () => aws.s3,
    r2: createR2Client(credentials, cdn.CDN_R2_ENDPOINT),
    r2Bucket: cdn.CDN_R2_BUCKET,
    registry,
    ...(purger ? { cache: { purger, cdnBaseUrl: cdn.CDN_BASE_URL } } : {}),
  };
}

/**
 * Targets of the local core running from `home` (its endpoints.json): one
 * s3rver holds the source buckets and the R2 bucket; the registry comes
 * from its SSM engine when it has one, else from the file.
 */
export async function cdnTargetsFromLocal(home: string): Promise<CdnTargets> {
  const endpoints = await readEndpointsFile(home);
  const prefix = cdnRegistryConfig().CDN_REGISTRY_PREFIX;
  const s3 = new S3Client(s3Options(endpoints.region, endpoints.s3.endpoint));
  const registry = endpoints.ssm
    ? await loadRegistry(
        new SSMClient(clientOptions(endpoints.region, endpoints.ssm.endpoint)),
        prefix,
      )
    : parseRegistry(
        Object.entries(endpoints.s3.buckets).map(([dir, bucket]) => ({
          name: `${prefix}${dir}`,
          value: bucket,
        })),
        prefix,
      );

  return {
    sourceS3: () => s3,
    r2: s3,
    r2Bucket: endpoints.s3.r2Bucket,
    registry,
  };
}

/**
 * HEADs of both sides of `targets`, for `verify --deep`; errors other than
 * "not found" become the area's unavailable errors.
 */
export function objectHeadsFor(targets: CdnTargets): ObjectHeads {
  const failed = (where: string, error: unknown) =>
    `Could not read ${where}: ${(error as Error).name}`;

  return {
    source: (bucket, key) =>
      headObject(targets.sourceS3(bucket), bucket, key).catch((error) => {
        throw new CdnSourceUnavailableError(failed(`${bucket}/${key}`, error), {
          cause: error,
        });
      }),
    target: (key) =>
      headObject(targets.r2, targets.r2Bucket, key).catch((error) => {
        throw new CdnTargetUnavailableError(failed(`R2 object ${key}`, error), {
          cause: error,
        });
      }),
  };
}

/** The backfill ports over `targets`: SDK listings, the bulk copier. */
export async function backfillPortsFor(
  targets: CdnTargets,
  tuning: { multipartThreshold?: number } = {},
): Promise<BackfillPorts> {
  return {
    source: new S3ObjectListing(targets.sourceS3),
    target: new R2MirrorTarget(targets.r2, targets.r2Bucket),
    copier: new BulkCopier({
      sourceFor: (bucket) => bulkEndpointOf(targets.sourceS3(bucket)),
      target: await bulkEndpointOf(targets.r2),
      targetBucket: targets.r2Bucket,
      ...tuning,
    }),
  };
}
