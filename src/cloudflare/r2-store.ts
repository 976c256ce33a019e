/** The R2 bucket as the CDN's mirror store. */
import { DeleteObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { headObject } from "../aws/cdn-objects.ts";
import {
  CdnR2CredentialsRejectedError,
  CdnTargetUnavailableError,
} from "../cdn/errors.ts";
import type { MirrorStore } from "../cdn/ports.ts";

/**
 * Multipart sizing: UPLOAD_QUEUE_SIZE parts of UPLOAD_PART_BYTES are sent
 * at once while the next part fills, so about (UPLOAD_QUEUE_SIZE + 1) ×
 * UPLOAD_PART_BYTES of a body is live (bench/cdn-sync.bench.ts). R2 needs
 * parts of at least 5 MiB except the last
 * (https://developers.cloudflare.com/r2/objects/multipart-objects/).
 */
export const UPLOAD_PART_BYTES = 8 * 1024 * 1024;
export const UPLOAD_QUEUE_SIZE = 4;

/**
 * What R2 answers when it refuses the keys: 401 Unauthorized, and 403 with
 * SignatureDoesNotMatch or AccessDenied
 * (https://developers.cloudflare.com/r2/api/error-codes/); S3, and s3rver,
 * answer 403 InvalidAccessKeyId to an unknown key. A HEAD has no body to
 * name the code, so the status alone decides.
 */
const REJECTED_CREDENTIAL_STATUSES = new Set([401, 403]);

/** True when `error` says R2 refused the access key or its signature. */
export function rejectsCredentials(error: unknown): boolean {
  const status = (error as { $metadata?: { httpStatusCode?: number } })
    .$metadata?.httpStatusCode;

  return status !== undefined && REJECTED_CREDENTIAL_STATUSES.has(status);
}

/**
 * A MirrorStore on `bucket` through `client` (see createR2Client). Writes
 * carry only the headers R2 supports: no tagging, KMS, ACL or checksums.
 * A refused key becomes CdnR2CredentialsRejectedError.
 */
export function r2MirrorStore(client: S3Client, bucket: string): MirrorStore {
  const unavailable = (action: string, key: string, error: unknown) => {
    const message = `Could not ${action} r2://${bucket}/${key}: ${(error as Error).name}`;

    return rejectsCredentials(error)
      ? new CdnR2CredentialsRejectedError(message, { cause: error })
      : new CdnTargetUnavailableError(message, { cause: error });
  };

  return {
    async head(key) {
      try {
        return await headObject(client, bucket, key);
      } catch (error) {
        throw unavailable("read", key, error);
      }
    },

    async put(key, object, metadata) {
      const { headers } = object;
      const upload = new Upload({
        client,
        queueSize: UPLOAD_QUEUE_SIZE,
        partSize: UPLOAD_PART_BYTES,
        leavePartsOnError: false,
        params: {
          Bucket: bucket,
          Key: key,
          Body: object.body,
          ContentType: headers.contentType,
          CacheControl: headers.cacheControl,
          ContentDisposition: headers.contentDisposition,
          ContentEncoding: headers.contentEncoding,
          ContentLanguage: headers.contentLanguage,
          Metadata: { ...metadata },
        },
      });
      try {
        await upload.done();
      } catch (error) {
        object.body.destroy();
        throw unavailable("write", key, error);
      }
    },

    async delete(key) {
      try {
        await client.send(
          new DeleteObjectCommand({ Bucket: bucket, Key: key }),
        );
      } catch (error) {
        throw unavailable("delete", key, error);
      }
    },
  };
}
