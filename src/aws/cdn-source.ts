/** The registered S3 buckets as the CDN sync's read-only source. */
import type { S3Client } from "@aws-sdk/client-s3";
import { CdnSourceUnavailableError } from "../cdn/errors.ts";
import type { SourceBuckets } from "../cdn/ports.ts";
import { getObject, headObject } from "./cdn-objects.ts";

/** SourceBuckets backed by `client`; SDK failures become CDN errors. */
export function s3SourceBuckets(client: S3Client): SourceBuckets {
  const unavailable = (bucket: string, key: string, error: unknown) =>
    new CdnSourceUnavailableError(
      `Could not read s3://${bucket}/${key}: ${(error as Error).name}`,
      { cause: error },
    );

  return {
    async head(bucket, key) {
      try {
        return await headObject(client, bucket, key);
      } catch (error) {
        throw unavailable(bucket, key, error);
      }
    },
    async open(bucket, key) {
      try {
        return await getObject(client, bucket, key);
      } catch (error) {
        throw unavailable(bucket, key, error);
      }
    },
  };
}
