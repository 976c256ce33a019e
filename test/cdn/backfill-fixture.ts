/**
 * Backfill and verify wired to the CDN test engines: the source s3rver and
 * the R2 s3rver behind its counting proxy, so tests can count PUTs.
 */
import {
  S3Client as Client,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { BulkCopier } from "../../src/aws/bulk-copier.ts";
import { bulkEndpointOf } from "../../src/aws/bulk-endpoint.ts";
import { R2MirrorTarget, S3ObjectListing } from "../../src/aws/bulk-listing.ts";
import { objectHeadsFor } from "../../src/aws/bulk-targets.ts";
import { s3Options } from "../../src/aws/clients.ts";
import type {
  BackfillPorts,
  ObjectHeads,
} from "../../src/cdn/backfill-ports.ts";
import type { Registry } from "../../src/cdn/types.ts";
import { type CdnEngines, R2_BUCKET } from "../support/cdn-engines.ts";

/** Ports whose R2 traffic goes through the engines' counting proxy. */
export async function backfillPorts(
  engines: CdnEngines,
  tuning: { multipartThreshold?: number } = {},
): Promise<BackfillPorts> {
  const r2 = new Client(s3Options("us-east-1", engines.r2Proxy.endpoint));
  const source = await bulkEndpointOf(engines.sourceClient);

  return {
    source: new S3ObjectListing(() => engines.sourceClient),
    target: new R2MirrorTarget(r2, R2_BUCKET),
    copier: new BulkCopier({
      sourceFor: async () => source,
      target: await bulkEndpointOf(r2),
      targetBucket: R2_BUCKET,
      ...tuning,
    }),
  };
}

/** Both sides' HEADs for `verify --deep`, R2 through the proxy. */
export function objectHeads(engines: CdnEngines): ObjectHeads {
  return objectHeadsFor({
    sourceS3: () => engines.sourceClient,
    r2: new Client(s3Options("us-east-1", engines.r2Proxy.endpoint)),
    r2Bucket: R2_BUCKET,
    registry: [],
  });
}

/** A registry entry without going through SSM. */
export function registryOf(...pairs: Array<[string, string]>): Registry {
  return pairs.map(([dir, bucket]) => ({
    dir,
    bucket,
    parameter: `/cdn-bucket/${dir}`,
  }));
}

/** Puts `count` small objects `<prefix><n>.txt` into `bucket`. */
export async function putObjects(
  client: S3Client,
  bucket: string,
  count: number,
  prefix = "item-",
): Promise<void> {
  for (let n = 0; n < count; n += 1) {
    await client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: `${prefix}${n}.txt`,
        Body: `body of ${prefix}${n}`,
        ContentType: "text/plain",
      }),
    );
  }
}

/** PUT requests the copier sent to R2 under `dir/`. */
export function r2Puts(engines: CdnEngines, dir: string): number {
  return engines.r2Proxy.count("PUT", `/${R2_BUCKET}/${dir}/`);
}
