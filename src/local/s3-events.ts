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

export interface ObjectEventForwarding {
  /** Give this to s3rver: each object event goes to the CDN queue. */
  readonly listener: (event: S3rverObjectEvent) => void;
  /**
   * Drops events from now on and waits for the sends in flight, so the
   * queue is not closed under a message; what is dropped is left to the
   * next start's backfill.
   */
  stop(): Promise<void>;
}

/** Forwards s3rver's object events to the CDN queue until stopped. */
export function forwardObjectEvents(
  options: S3EventForwarding,
): ObjectEventForwarding {
  const sending = new Set<Promise<void>>();
  let stopped = false;

  return {
    listener: function forwardObjectEvent(event) {
      if (stopped || options.ignoredBuckets.has(event.bucket)) return;
      const message = eventBridgeEventOf(event);
      if (!message) return;

      const send = options.sqs
        .send(
          new SendMessageCommand({
            QueueUrl: options.queueUrl,
            MessageBody: JSON.stringify(message),
          }),
        )
        .then(() => {}, options.onError)
        .finally(() => sending.delete(send));
      sending.add(send);
    },
    stop: async () => {
      stopped = true;
      await Promise.all(sending);
    },
  };
}
