/**
 * Plays Lambda's SQS event source mapping against fauxqs: receive a batch,
 * call the handler, delete what succeeded, leave failures to reappear after
 * the visibility timeout.
 */
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { cdnSqsEvent, cdnSqsRecord } from "./cdn-events.ts";

export interface CdnTestQueue {
  readonly url: string;
  send(body: unknown): Promise<void>;
  /** One receive → handle → delete round; returns the failed message ids. */
  poll(
    handler: (event: SQSEvent) => Promise<unknown>,
    waitSeconds?: number,
  ): Promise<{ received: number; failed: number }>;
  /** Visible plus in-flight messages. */
  depth(): Promise<number>;
}

export async function createCdnTestQueue(
  sqs: SQSClient,
  name: string,
  visibilityTimeoutSeconds: number,
): Promise<CdnTestQueue> {
  const { QueueUrl } = await sqs.send(
    new CreateQueueCommand({
      QueueName: name,
      Attributes: { VisibilityTimeout: String(visibilityTimeoutSeconds) },
    }),
  );
  const url = QueueUrl ?? "";

  return {
    url,
    async send(body) {
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: url,
          MessageBody: JSON.stringify(body),
        }),
      );
    },
    async poll(handler, waitSeconds = 0) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: url,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: waitSeconds,
        }),
      );
      if (Messages.length === 0) return { received: 0, failed: 0 };

      const records = Messages.map((message) => ({
        ...cdnSqsRecord(message.Body ?? ""),
        messageId: message.MessageId ?? "",
        receiptHandle: message.ReceiptHandle ?? "",
      }));
      const response = (await handler(
        cdnSqsEvent(records),
      )) as SQSBatchResponse;
      const failed = new Set(
        response.batchItemFailures.map((item) => item.itemIdentifier),
      );
      const done = records.filter((record) => !failed.has(record.messageId));
      if (done.length > 0) {
        await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: url,
            Entries: done.map((record, index) => ({
              Id: String(index),
              ReceiptHandle: record.receiptHandle,
            })),
          }),
        );
      }

      return { received: records.length, failed: failed.size };
    },
    async depth() {
      const { Attributes = {} } = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: url,
          AttributeNames: [
            "ApproximateNumberOfMessages",
            "ApproximateNumberOfMessagesNotVisible",
          ],
        }),
      );

      return (
        Number(Attributes.ApproximateNumberOfMessages ?? 0) +
        Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0)
      );
    },
  };
}
