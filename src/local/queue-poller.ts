/**
 * Feeds a queue to an SQS handler the way Lambda's event source mapping
 * does: long-poll a batch, call the handler, delete only the messages it
 * did not report in `batchItemFailures`. Failed messages reappear after the
 * queue's visibility timeout and reach the DLQ through its redrive policy.
 */
import {
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { sqsEventOf } from "./sqs-events.ts";

/** SQS returns at most 10 messages per ReceiveMessage. */
export const MAX_BATCH = 10;
/** The longest long poll SQS allows. */
const WAIT_SECONDS = 20;
/** Pause after a failed receive, so a stopped engine is not hammered. */
const RETRY_PAUSE_MS = 1000;

export type SqsHandler = (event: SQSEvent) => Promise<unknown>;

/** The queue's redrive policy, as the poller's caller created it. */
export interface Redrive {
  readonly maxReceiveCount: number;
  readonly deadLetterQueue: string;
}

/** A record that failed its last receive; the redrive moves it next. */
export interface DeadLetterNotice extends Redrive {
  /** The queue's name, the last segment of its URL. */
  readonly queue: string;
  readonly messageId: string;
  readonly receiveCount: number;
}

export interface QueuePollerOptions {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  readonly handler: SqsHandler;
  /** Receives what went wrong outside the handler's own logging. */
  readonly onError: (error: Error) => void;
  /** With onDeadLetter, records about to move to the DLQ are told. */
  readonly redrive?: Redrive;
  /** Told once per record that failed its last allowed receive. */
  readonly onDeadLetter?: (notice: DeadLetterNotice) => void;
}

export interface QueuePoller {
  /** Aborts the long poll and waits for the batch in hand to finish. */
  stop(): Promise<void>;
}

export function startQueuePoller(options: QueuePollerOptions): QueuePoller {
  const stopping = new AbortController();
  const running = pollUntilStopped(options, stopping.signal);

  return {
    stop: async () => {
      stopping.abort();
      await running;
    },
  };
}

async function pollUntilStopped(
  options: QueuePollerOptions,
  signal: AbortSignal,
): Promise<void> {
  while (!signal.aborted) {
    try {
      await pollOnce(options, signal);
    } catch (error) {
      if (signal.aborted) return;
      options.onError(error as Error);
      await pause(RETRY_PAUSE_MS, signal);
    }
  }
}

async function pollOnce(
  options: QueuePollerOptions,
  signal: AbortSignal,
): Promise<void> {
  const { sqs, queueUrl } = options;
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: MAX_BATCH,
      WaitTimeSeconds: WAIT_SECONDS,
      MessageSystemAttributeNames: ["All"],
    }),
    { abortSignal: signal },
  );
  if (Messages.length === 0) return;

  const event = sqsEventOf(queueUrl, Messages);
  const failed = await failedIds(options, event);
  reportDeadLetters(options, event, failed);
  const done = event.Records.filter(
    (record) => !failed.has(record.messageId),
  ).map((record) => ({
    Id: record.messageId,
    ReceiptHandle: record.receiptHandle,
  }));
  if (done.length === 0) return;

  await sqs.send(
    new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: done }),
  );
}

/** Ids the handler failed; all of them when it throws, as Lambda does. */
async function failedIds(
  options: QueuePollerOptions,
  event: SQSEvent,
): Promise<Set<string>> {
  try {
    const response = (await options.handler(event)) as
      | SQSBatchResponse
      | undefined;

    return new Set(
      (response?.batchItemFailures ?? []).map((item) => item.itemIdentifier),
    );
  } catch (error) {
    options.onError(error as Error);

    return new Set(event.Records.map((record) => record.messageId));
  }
}

/**
 * SQS moves a message to the DLQ when it would be received once more than
 * maxReceiveCount, so a record failing at that count will not come back.
 */
function reportDeadLetters(
  options: QueuePollerOptions,
  event: SQSEvent,
  failed: ReadonlySet<string>,
): void {
  const { redrive, onDeadLetter } = options;
  if (!redrive || !onDeadLetter) return;

  const queue = queueNameOf(options.queueUrl);
  for (const record of event.Records) {
    const receiveCount = Number(record.attributes.ApproximateReceiveCount);
    if (!failed.has(record.messageId)) continue;
    if (receiveCount < redrive.maxReceiveCount) continue;

    onDeadLetter({
      ...redrive,
      queue,
      messageId: record.messageId,
      receiveCount,
    });
  }
}

/** A queue URL's last segment is the queue's name. */
export function queueNameOf(queueUrl: string): string {
  return queueUrl.split("/").pop() ?? queueUrl;
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
