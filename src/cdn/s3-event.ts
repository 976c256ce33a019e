/**
 * Reading the EventBridge S3 events the sync receives. Only the bucket and
 * key matter: the event says where to look, the source says what is true.
 */
import { CdnInvalidEventError } from "./errors.ts";
import { decodeEventKey } from "./keys.ts";

/** The part of an EventBridge S3 event the sync acts on. */
export interface S3ObjectHint {
  /** "Object Created", "Object Deleted", ... kept for logs. */
  readonly detailType: string;
  readonly bucket: string;
  /** Decoded key, as S3 stores it. */
  readonly key: string;
  /** EventBridge's event id, for logs. */
  readonly eventId?: string;
}

/** Parses an SQS message body holding an EventBridge event. */
export function parseS3EventBody(body: string): S3ObjectHint {
  let event: unknown;
  try {
    event = JSON.parse(body);
  } catch (error) {
    throw new CdnInvalidEventError("The message body is not JSON", {
      cause: error,
    });
  }

  return parseS3Event(event);
}

/**
 * Validates an EventBridge S3 event and decodes its key. Throws
 * CdnInvalidEventError naming the first missing field.
 */
export function parseS3Event(event: unknown): S3ObjectHint {
  const root = asRecord(event, "the event");
  if (root.source !== "aws.s3") {
    throw new CdnInvalidEventError(
      `The event's source is ${JSON.stringify(root.source)}, not "aws.s3"`,
    );
  }
  const detailType = text(root, "detail-type", "the event");
  const detail = asRecord(root.detail, "detail");
  const bucket = text(
    asRecord(detail.bucket, "detail.bucket"),
    "name",
    "detail.bucket",
  );
  const object = asRecord(detail.object, "detail.object");

  return {
    detailType,
    bucket,
    key: decodeEventKey(text(object, "key", "detail.object")),
    ...(typeof root.id === "string" ? { eventId: root.id } : {}),
  };
}

function asRecord(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new CdnInvalidEventError(`${where} is missing or not an object`);
  }

  return value as Record<string, unknown>;
}

function text(
  record: Record<string, unknown>,
  field: string,
  where: string,
): string {
  const value = record[field];
  if (typeof value !== "string" || value === "") {
    throw new CdnInvalidEventError(`${where}.${field} is missing`);
  }

  return value;
}
