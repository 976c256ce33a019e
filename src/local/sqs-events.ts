/**
 * Lambda SQS events built from messages received from a queue, shaped the
 * way Lambda's event source mapping delivers them.
 */
import type { Message } from "@aws-sdk/client-sqs";
import type { SQSEvent, SQSRecord } from "aws-lambda";

const REGION = "us-east-1";

/** The event for `messages` received from `queueUrl`. */
export function sqsEventOf(queueUrl: string, messages: Message[]): SQSEvent {
  const queueArn = `arn:aws:sqs:${REGION}:000000000000:${queueUrl.split("/").pop()}`;

  return { Records: messages.map((message) => recordOf(message, queueArn)) };
}

function recordOf(message: Message, queueArn: string): SQSRecord {
  const attributes = message.Attributes ?? {};
  const now = String(Date.now());

  return {
    messageId: message.MessageId ?? "",
    receiptHandle: message.ReceiptHandle ?? "",
    body: message.Body ?? "",
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? "1",
      SentTimestamp: attributes.SentTimestamp ?? now,
      SenderId: attributes.SenderId ?? "local",
      ApproximateFirstReceiveTimestamp:
        attributes.ApproximateFirstReceiveTimestamp ?? now,
    },
    messageAttributes: {},
    md5OfBody: message.MD5OfBody ?? "",
    eventSource: "aws:sqs",
    eventSourceARN: queueArn,
    awsRegion: REGION,
  };
}
