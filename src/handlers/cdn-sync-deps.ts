/**
 * The CDN sync's production wiring: AWS clients, the R2 secret and the
 * optional purger, all from validated configuration.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import {
  loadR2Credentials,
  type R2Credentials,
  resetCdnSecretCache,
} from "../aws/cdn-secret.ts";
import { s3SourceBuckets } from "../aws/cdn-source.ts";
import { s3Client, secretsClient, ssmClient } from "../aws/clients.ts";
import { ssmRegistrySource } from "../aws/ssm-registry.ts";
import type { MirrorStore } from "../cdn/ports.ts";
import { purgerFromSettings } from "../cloudflare/purge-client.ts";
import { createR2Client } from "../cloudflare/r2-client.ts";
import { r2MirrorStore } from "../cloudflare/r2-store.ts";
import { awsConfig, type CdnConfig, cdnConfig } from "../config.ts";
import type { CdnSyncDeps, SyncMetrics } from "./cdn-sync-event.ts";

/** How long a warm function reuses the registry before re-reading SSM. */
export const REGISTRY_MAX_AGE_MS = 60_000;

export const METRICS_NAMESPACE = "api-core";
export const SERVICE_NAME = "cdn-sync";

/** Dependencies of the sync for the current environment. */
export function cdnSyncDepsFromConfig(
  config: CdnConfig = cdnConfig(),
): CdnSyncDeps {
  const aws = awsConfig();
  const secrets = secretsClient(aws);
  const purger = purgerFromSettings(config);
  const metrics = new Metrics({
    namespace: METRICS_NAMESPACE,
    serviceName: SERVICE_NAME,
  });

  return {
    registry: ssmRegistrySource(
      ssmClient(aws),
      config.CDN_REGISTRY_PREFIX,
      REGISTRY_MAX_AGE_MS,
    ),
    source: s3SourceBuckets(s3Client(aws)),
    r2: r2StoreFor(config, () =>
      loadR2Credentials(secrets, config.CDN_SECRET_NAME),
    ),
    onR2CredentialsRejected: resetCdnSecretCache,
    ...(purger ? { purger } : {}),
    cdnBaseUrl: config.CDN_BASE_URL,
    logger: new Logger({ serviceName: SERVICE_NAME }),
    metrics: powertoolsCounts(metrics),
  };
}

/**
 * The R2 store for the current credentials; a new client is built only when
 * the (cached) secret changes, so connections are reused between batches.
 */
export function r2StoreFor(
  config: Pick<CdnConfig, "CDN_R2_BUCKET" | "CDN_R2_ENDPOINT">,
  credentials: () => Promise<R2Credentials>,
): () => Promise<MirrorStore> {
  let current: { credentials: R2Credentials; store: MirrorStore } | undefined;

  return async () => {
    const latest = await credentials();
    if (current?.credentials !== latest) {
      const client = createR2Client(latest, config.CDN_R2_ENDPOINT);
      current = {
        credentials: latest,
        store: r2MirrorStore(client, config.CDN_R2_BUCKET),
      };
    }

    return current.store;
  };
}

function powertoolsCounts(metrics: Metrics): SyncMetrics {
  return {
    count: (name, value = 1) => {
      metrics.addMetric(name, MetricUnit.Count, value);
    },
    publish: () => {
      metrics.publishStoredMetrics();
    },
  };
}
