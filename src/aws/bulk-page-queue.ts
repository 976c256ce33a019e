/**
 * SQS and S3 adapters of the remote backfill: one listing page, sync
 * hints in batches, and the next-page request on the backfill queue.
 */
import { createHash } from "node:crypto";
import { ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import {
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  SendMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { CdnListingError } from "../cdn/backfill-errors.ts";
import type {
  BackfillPageRequest,
  ListingPage,
  ObjectCreatedEvent,
} from "../cdn/backfill-page.ts";
import { normaliseEtag } from "../cdn/diff.ts";
import { CdnTargetUnavailableError } from "../cdn/errors.ts";

/** SendMessageBatch takes at most 10 entries (SQS quota). */
export const SQS_BATCH_SIZE = 10;
/** Entries SQS reports as failed are sent again this many times. */
const BATCH_RETRIES = 2;

/** One page of at most `maxKeys` objects (default and maximum 1,000). */
export async function listSourcePage(
  s3: S3Client,
  bucket: string,
  token?: string,
  maxKeys?: number,
): Promise<ListingPage> {
  const page = await s3
    .send(
      new ListObjectsV2Command({
        Bucket: bucket,
        ContinuationToken: token,
        MaxKeys: maxKeys,
      }),
    )
    .catch((error: unknown) => {
      throw new CdnListingError(bucket, "", { cause: error });
    });
  const objects = (page.Contents ?? []).map((object) => ({
    key: object.Key ?? "",
    size: object.Size ?? 0,
    etag: normaliseEtag(object.ETag ?? ""),
  }));
  const nextToken = page.IsTruncated ? page.NextContinuationToken : undefined;

  return nextToken ? { objects, nextToken } : { objects };
}

/** Sends `events` as message bodies, 10 per request, retrying failed ones. */
export async function sendHints(
  sqs: SQSClient,
  queueUrl: string,
  events: readonly ObjectCreatedEvent[],
): Promise<void> {
  for (let start = 0; start < events.length; start += SQS_BATCH_SIZE) {
    let entries: SendMessageBatchRequestEntry[] = events
      .slice(start, start + SQS_BATCH_SIZE)
      .map((event, index) => ({
        Id: String(index),
        MessageBody: JSON.stringify(event),
      }));
    for (let attempt = 0; entries.length > 0; attempt += 1) {
      if (attempt > BATCH_RETRIES) {
        throw new CdnTargetUnavailableError(
          `The CDN queue refused ${entries.length} backfill hints`,
        );
      }
      const result = await sqs.send(
        new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }),
      );
      const failed = new Set((result.Failed ?? []).map((entry) => entry.Id));
      entries = entries.filter((entry) => failed.has(entry.Id));
    }
  }
}

/**
 * Queues a page request. On a FIFO queue (recommended) the deduplication
 * id is the page's identity within its run, so a page handled twice does
 * not fork the chain of next pages; the group is the directory, so each
 * directory's pages run one at a time.
 */
export async function sendPageRequest(
  sqs: SQSClient,
  queueUrl: string,
  request: BackfillPageRequest,
): Promise<void> {
  const fifo = queueUrl.endsWith(".fifo")
    ? {
        MessageGroupId: request.dir,
        MessageDeduplicationId: createHash("sha256")
          .update(
            [
              request.runId,
              request.dir,
              request.bucket,
              request.continuationToken ?? "",
            ].join("\n"),
          )
          .digest("hex"),
      }
    : {};
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: JSON.stringify(request),
      ...fifo,
    }),
  );
}
