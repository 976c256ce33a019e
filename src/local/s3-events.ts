/**
 * s3rver's object events, reshaped as the EventBridge S3 events AWS puts on
 * the CDN queue, so the CDN sync handler reads the same messages locally.
 */
import { randomUUID } from "node:crypto";
import { SendMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { encodeEventKey } from "../cdn/backfill-page.ts";
import type { S3rverObjectEvent } from "./engines/s3rver.ts";

const REGION = "us-east-1";
const ACCOUNT = "000000000000";

/** The EventBridge event for `event`, or undefined if it is no object change. */
export function eventBridgeEventOf(
  event: S3rverObjectEvent,
  now = new Date(),
): Record<string, unknown> | undefined {
  const detailType = event.eventName.startsWith("ObjectCreated")
    ? "Object Created"
    : event.eventName.startsWith("ObjectRemoved")
      ? "Object Deleted"
      : undefined;
  if (!detailType) return undefined;

  return {
    version: "0",
    id: randomUUID(),
    "detail-type": detailType,
    source: "aws.s3",
    account: ACCOUNT,
    time: now.toISOString(),
    region: REGION,
    resources: [`arn:aws:s3:::${event.bucket}`],
    detail: {
      version: "0",
      bucket: { name: event.bucket },
      object: {
        // Real S3 events encode keys; s3rver's do not.
        key: encodeEventKey(event.key),
        ...(event.size !== undefined ? { size: event.size } : {}),
        ...(event.eTag ? { etag: event.eTag.replaceAll('"', "") } : {}),
      },
      "request-id": randomUUID(),
      requester: ACCOUNT,
      reason: event.eventName,
    },
  };
}

export interface S3EventForwarding {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  /** Buckets whose events are dropped: the R2 stand-in must not loop. */
  readonly ignoredBuckets: ReadonlySet<string>;
  readonly onError: (error: Error) => void;
}

/** A listener for s3rver that sends each object event to the CDN queue. */
export function forwardObjectEvents(
  options: S3EventForwarding,
): (event: S3rverObjectEvent) => void {
  return function forwardObjectEvent(event) {
    if (options.ignoredBuckets.has(event.bucket)) return;
    const message = eventBridgeEventOf(event);
    if (!message) return;

    options.sqs
      .send(
        new SendMessageCommand({
          QueueUrl: options.queueUrl,
          MessageBody: JSON.stringify(message),
        }),
      )
      .catch(options.onError);
  };
}
