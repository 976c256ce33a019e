/**
 * Listing, metadata reads and batch deletes through the SDK: control calls
 * are few (one per 1,000 objects), so the SDK's per-request cost does not
 * matter here, only for object bodies (see bulk-copier.ts).
 */
import {
  DeleteObjectsCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  NotFound,
  type S3Client,
} from "@aws-sdk/client-s3";
import { CdnListingError } from "../cdn/backfill-errors.ts";
import type {
  ListedObject,
  MirrorTarget,
  SourceListing,
} from "../cdn/backfill-ports.ts";
import { normaliseEtag } from "../cdn/diff.ts";
import {
  CdnSourceUnavailableError,
  CdnTargetUnavailableError,
} from "../cdn/errors.ts";
import { SOURCE_ETAG_METADATA } from "../cdn/types.ts";

/** DeleteObjects takes at most 1,000 keys per request (S3 and R2). */
const DELETE_BATCH = 1000;

/** Lists buckets through the client that `clientFor` returns for each. */
export class S3ObjectListing implements SourceListing {
  constructor(private readonly clientFor: (bucket: string) => S3Client) {}

  async exists(bucket: string, key: string): Promise<boolean> {
    try {
      await this.clientFor(bucket).send(
        new HeadObjectCommand({ Bucket: bucket, Key: key }),
      );
      return true;
    } catch (error) {
      if (error instanceof NotFound) return false;
      const name = (error as Error).name;
      throw new CdnSourceUnavailableError(
        `Could not read ${bucket}/${key}: ${name}`,
        { cause: error },
      );
    }
  }

  async *list(
    bucket: string,
    prefix = "",
    signal?: AbortSignal,
  ): AsyncIterable<readonly ListedObject[]> {
    const client = this.clientFor(bucket);
    let token: string | undefined;
    do {
      const page = await client
        .send(
          new ListObjectsV2Command({
            Bucket: bucket,
            Prefix: prefix || undefined,
            ContinuationToken: token,
          }),
          { abortSignal: signal },
        )
        .catch((error: unknown) => {
          throw new CdnListingError(bucket, prefix, { cause: error });
        });
      yield (page.Contents ?? []).map((object) => ({
        key: (object.Key ?? "").slice(prefix.length),
        size: object.Size ?? 0,
        etag: normaliseEtag(object.ETag ?? ""),
      }));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }
}

/** The R2 bucket as backfill sees it. */
export class R2MirrorTarget extends S3ObjectListing implements MirrorTarget {
  constructor(
    private readonly r2: S3Client,
    private readonly bucket: string,
  ) {
    super(() => r2);
  }

  async storedSourceEtag(key: string): Promise<string | undefined> {
    try {
      const head = await this.r2.send(
        new HeadObjectCommand({ Bucket: this.bucket, Key: key }),
      );
      return head.Metadata?.[SOURCE_ETAG_METADATA];
    } catch (error) {
      if (error instanceof NotFound) return undefined;
      const name = (error as Error).name;
      throw new CdnTargetUnavailableError(
        `Could not read R2 object ${key}: ${name}`,
        { cause: error },
      );
    }
  }

  /**
   * The SDK puts `x-amz-checksum-crc32` on every DeleteObjects, even with
   * WHEN_REQUIRED, because S3 requires a checksum of the body; R2 accepts
   * CRC32 (docs/cdn.md, "What R2 is sent").
   */
  async deleteMany(keys: readonly string[]): Promise<readonly string[]> {
    const failed: string[] = [];
    for (let start = 0; start < keys.length; start += DELETE_BATCH) {
      const batch = keys.slice(start, start + DELETE_BATCH);
      const result = await this.r2
        .send(
          new DeleteObjectsCommand({
            Bucket: this.bucket,
            Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
          }),
        )
        .catch((error: unknown) => {
          throw new CdnTargetUnavailableError("R2 refused a batch delete", {
            cause: error,
          });
        });
      for (const error of result.Errors ?? []) {
        if (error.Key) failed.push(error.Key);
      }
    }

    return failed;
  }
}
