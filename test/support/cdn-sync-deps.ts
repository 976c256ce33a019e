/** Builds the CDN sync handler against the test engines. */
import {
  loadR2Credentials,
  resetCdnSecretCache,
} from "../../src/aws/cdn-secret.ts";
import { s3SourceBuckets } from "../../src/aws/cdn-source.ts";
import { ssmRegistrySource } from "../../src/aws/ssm-registry.ts";
import type { CachePurger, RegistrySource } from "../../src/cdn/ports.ts";
import { createCdnSyncHandler } from "../../src/handlers/cdn-sync.ts";
import { r2StoreFor } from "../../src/handlers/cdn-sync-deps.ts";
import {
  CDN_PREFIX,
  CDN_SECRET,
  type CdnEngines,
  R2_BUCKET,
} from "./cdn-engines.ts";
import { cdnRecorders } from "./cdn-events.ts";

export const CDN_BASE_URL = "https://cdn.example.test";

/**
 * A handler wired like production but to the engines: R2 through the
 * counting proxy, the registry re-read on every event, a fresh secret cache.
 */
export function cdnSyncUnderTest(
  engines: CdnEngines,
  options: {
    purger?: CachePurger;
    secretName?: string;
    registry?: RegistrySource;
  } = {},
) {
  resetCdnSecretCache();
  const recorders = cdnRecorders();
  const handler = createCdnSyncHandler({
    registry: options.registry ?? ssmRegistrySource(engines.ssm, CDN_PREFIX, 0),
    source: s3SourceBuckets(engines.sourceClient),
    r2: r2StoreFor(
      { CDN_R2_BUCKET: R2_BUCKET, CDN_R2_ENDPOINT: engines.r2Proxy.endpoint },
      () =>
        loadR2Credentials(engines.secrets, options.secretName ?? CDN_SECRET),
    ),
    onR2CredentialsRejected: resetCdnSecretCache,
    ...(options.purger ? { purger: options.purger } : {}),
    cdnBaseUrl: CDN_BASE_URL,
    logger: recorders.logger,
    metrics: recorders.metrics,
  });

  return { handler, ...recorders };
}
