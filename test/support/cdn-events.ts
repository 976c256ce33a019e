/**
 * Factories for the events the CDN sync receives, and recorders standing in
 * for Powertools' logger and metrics.
 */
import { randomUUID } from "node:crypto";
import type { SQSEvent, SQSRecord } from "aws-lambda";
import type { SyncLogger, SyncMetrics } from "../../src/handlers/cdn-sync.ts";

export type DetailType = "Object Created" | "Object Deleted";

/** Encodes a key the way S3 notifications do (form encoding). */
export function formEncodeKey(key: string): string {
  return encodeURIComponent(key).replaceAll("%20", "+").replaceAll("%2F", "/");
}

/** An EventBridge S3 event; `key` is given decoded and encoded here. */
export function cdnS3Event(
  detailType: DetailType,
  bucket: string,
  key: string,
): Record<string, unknown> {
  return {
    version: "0",
    id: randomUUID(),
    "detail-type": detailType,
    source: "aws.s3",
    account: "123456789012",
    time: new Date().toISOString(),
    region: "us-east-1",
    resources: [`arn:aws:s3:::${bucket}`],
    detail: {
      version: "0",
      bucket: { name: bucket },
      object: {
        key: formEncodeKey(key),
        size: 1,
        etag: "0123456789abcdef",
        sequencer: "0062E99A88DC407460",
      },
      "request-id": "REQ",
      requester: "123456789012",
      reason: detailType === "Object Created" ? "PutObject" : "DeleteObject",
      ...(detailType === "Object Deleted"
        ? { "deletion-type": "Permanently Deleted" }
        : {}),
    },
  };
}

/** An SQS record whose body is `body` (an event, or raw text). */
export function cdnSqsRecord(body: unknown): SQSRecord {
  return {
    messageId: randomUUID(),
    receiptHandle: randomUUID(),
    body: typeof body === "string" ? body : JSON.stringify(body),
    attributes: {
      ApproximateReceiveCount: "1",
      SentTimestamp: String(Date.now()),
      SenderId: "events.amazonaws.com",
      ApproximateFirstReceiveTimestamp: String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: "",
    eventSource: "aws:sqs",
    eventSourceARN: "arn:aws:sqs:us-east-1:123456789012:cdn",
    awsRegion: "us-east-1",
  };
}

export function cdnSqsEvent(records: SQSRecord[]): SQSEvent {
  return { Records: records };
}

export interface LogLine {
  readonly level: "info" | "warn" | "error";
  readonly message: string;
  readonly attributes: Record<string, unknown>;
}

/** A logger and metrics that remember what they were told. */
export function cdnRecorders() {
  const lines: LogLine[] = [];
  const counts = new Map<string, number>();
  const log =
    (level: LogLine["level"]) =>
    (message: string, attributes: Record<string, unknown>) => {
      lines.push({ level, message, attributes });
    };
  const logger: SyncLogger = {
    info: log("info"),
    warn: log("warn"),
    error: log("error"),
  };
  const metrics: SyncMetrics = {
    count: (name, value = 1) => {
      counts.set(name, (counts.get(name) ?? 0) + value);
    },
    publish: () => {},
  };

  return {
    logger,
    metrics,
    lines,
    counts,
    reset() {
      lines.length = 0;
      counts.clear();
    },
  };
}
