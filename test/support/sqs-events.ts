/**
 * Builds Lambda SQS events from messages really received from fauxqs, the
 * way the Lambda event source mapping would.
 */
import {
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import type { SQSEvent, SQSRecord } from "aws-lambda";

export async function receiveEvent(
  sqs: SQSClient,
  queueUrl: string,
  options: { max?: number; waitSeconds?: number } = {},
): Promise<{ event: SQSEvent; receipts: Map<string, string> }> {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: options.max ?? 10,
      WaitTimeSeconds: options.waitSeconds ?? 1,
      MessageSystemAttributeNames: ["ApproximateReceiveCount"],
    }),
  );
  const receipts = new Map<string, string>();
  const Records = Messages.map((message): SQSRecord => {
    receipts.set(message.MessageId ?? "", message.ReceiptHandle ?? "");
    return sqsRecord(message.Body ?? "", message.MessageId);
  });

  return { event: { Records }, receipts };
}

/** Deletes every received message except those reported as failed. */
export async function deleteSucceeded(
  sqs: SQSClient,
  queueUrl: string,
  receipts: Map<string, string>,
  failedIds: string[],
): Promise<void> {
  const entries = [...receipts]
    .filter(([id]) => !failedIds.includes(id))
    .map(([Id, ReceiptHandle]) => ({ Id, ReceiptHandle }));
  if (entries.length === 0) return;
  await sqs.send(
    new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }),
  );
}

let sequence = 0;

/** An SQS record with `body`, shaped like the ones Lambda delivers. */
export function sqsRecord(body: string, messageId?: string): SQSRecord {
  sequence++;

  return {
    messageId: messageId ?? `message-${sequence}`,
    receiptHandle: `receipt-${sequence}`,
    body,
    attributes: {
      ApproximateReceiveCount: "1",
      SentTimestamp: String(Date.now()),
      SenderId: "test",
      ApproximateFirstReceiveTimestamp: String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: "",
    eventSource: "aws:sqs",
    eventSourceARN: "arn:aws:sqs:us-east-1:000000000000:sync",
    awsRegion: "us-east-1",
  };
}
