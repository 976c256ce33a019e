/**
 * The engines a CDN test needs: a source s3rver, a separate R2 s3rver with a
 * request-counting proxy in front, and the SSM / Secrets Manager engine,
 * seeded with a registry and the R2 secret.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { S3Client } from "@aws-sdk/client-s3";
import {
  CreateSecretCommand,
  SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { clientOptions, s3Options } from "../../src/aws/clients.ts";
import {
  type S3rverEngine,
  startS3rver,
} from "../../src/local/engines/s3rver.ts";
import { startSsmSecrets } from "../../src/local/engines/ssm-secrets.ts";
import type { Engine } from "../../src/local/engines/types.ts";
import { type CdnCountingProxy, startCdnCountingProxy } from "./cdn-proxy.ts";

export const CDN_PREFIX = "/cdn-bucket/";
export const CDN_SECRET = "/core/cloudflare-cdn";
export const R2_BUCKET = "cdn-mirror";

export interface CdnEngines {
  readonly source: S3rverEngine;
  readonly r2: S3rverEngine;
  /** In front of `r2`; counts requests and can refuse connections. */
  readonly r2Proxy: CdnCountingProxy;
  readonly ssmSecrets: Engine;
  readonly sourceClient: S3Client;
  /** Talks to R2 directly, bypassing the proxy (for assertions). */
  readonly r2Client: S3Client;
  readonly ssm: SSMClient;
  readonly secrets: SecretsManagerClient;
  /** Registers `bucket` under `dir` in SSM. */
  register(dir: string, bucket: string): Promise<void>;
  /** Stores the R2 secret pointing at the proxy (keys S3RVER/S3RVER). */
  storeR2Secret(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts the engines; `sourceBuckets` exist from the start. */
export async function startCdnEngines(
  sourceBuckets: string[],
): Promise<CdnEngines> {
  const folder = await mkdtemp(join(tmpdir(), "cdn-engines-"));
  const source = await startS3rver({
    directory: join(folder, "source"),
    buckets: sourceBuckets,
  });
  const r2 = await startS3rver({
    directory: join(folder, "r2"),
    buckets: [R2_BUCKET],
  });
  const r2Proxy = await startCdnCountingProxy(r2.endpoint);
  const ssmSecrets = await startSsmSecrets();
  const ssm = new SSMClient(clientOptions("us-east-1", ssmSecrets.endpoint));
  const secrets = new SecretsManagerClient(
    clientOptions("us-east-1", ssmSecrets.endpoint),
  );

  return {
    source,
    r2,
    r2Proxy,
    ssmSecrets,
    sourceClient: new S3Client(s3Options("us-east-1", source.endpoint)),
    r2Client: new S3Client(s3Options("us-east-1", r2.endpoint)),
    ssm,
    secrets,
    async register(dir, bucket) {
      await ssm.send(
        new PutParameterCommand({
          Name: `${CDN_PREFIX}${dir}`,
          Value: bucket,
          Type: "String",
          Overwrite: true,
        }),
      );
    },
    async storeR2Secret() {
      await secrets.send(
        new CreateSecretCommand({
          Name: CDN_SECRET,
          SecretString: JSON.stringify({
            accountId: "local",
            r2AccessToken: "local-token",
            r2AccessKeyId: "S3RVER",
            r2SecretAccessKey: "S3RVER",
          }),
        }),
      );
    },
    async stop() {
      await Promise.all([
        source.stop(),
        r2.stop(),
        r2Proxy.stop(),
        ssmSecrets.stop(),
      ]);
      await rm(folder, { recursive: true, force: true });
    },
  };
}
