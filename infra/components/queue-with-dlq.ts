/**
 * An SQS queue that moves a message to its own dead-letter queue after a few
 * failed receives, so a poison message cannot loop for ever.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { InfraArgumentError } from "../errors.ts";
import type { Statement } from "../iam.ts";

/** SQS's longest message retention, 14 days (SQS quotas). */
export const SQS_MAX_RETENTION_SECONDS = 1_209_600;
/** Lambda's advice: visibility at least six times the function timeout. */
export const VISIBILITY_PER_FUNCTION_TIMEOUT = 6;
/** Receives before a message is set aside for a person to look at. */
export const DEFAULT_MAX_RECEIVES = 5;
/** SQS's largest batch for a Lambda event source (Lambda docs). */
export const SQS_MAX_BATCH = 10;
/** SQS's maximum visibility timeout, 12 hours (SQS quotas). */
const SQS_MAX_VISIBILITY_SECONDS = 43_200;

export interface QueueWithDlqArgs {
  /** Physical name of the queue; the DLQ gets `-dlq` appended. */
  readonly queueName: string;
  /** Timeout of the function that consumes the queue. */
  readonly consumerTimeoutSeconds: number;
  readonly maxReceives?: number;
  /** A FIFO queue (and DLQ); `.fifo` is appended to both names. */
  readonly fifo?: boolean;
}

/** A queue and its dead-letter queue, both encrypted by SQS. */
export class QueueWithDlq extends pulumi.ComponentResource {
  readonly queue: aws.sqs.Queue;
  readonly deadLetterQueue: aws.sqs.Queue;

  constructor(
    name: string,
    args: QueueWithDlqArgs,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    const visibility =
      args.consumerTimeoutSeconds * VISIBILITY_PER_FUNCTION_TIMEOUT;
    if (visibility > SQS_MAX_VISIBILITY_SECONDS) {
      throw new InfraArgumentError(
        `${name}: a consumer timeout of ${args.consumerTimeoutSeconds} s needs a visibility over SQS's 12 h maximum`,
      );
    }
    super("api-core:sqs:QueueWithDlq", name, {}, opts);

    // A FIFO queue's dead-letter queue must be FIFO too (SQS docs).
    const suffix = args.fifo ? ".fifo" : "";
    const fifo = args.fifo ? { fifoQueue: true } : {};
    this.deadLetterQueue = createDeadLetterQueue(
      `${name}-dlq`,
      { queueName: `${args.queueName}-dlq`, fifo: args.fifo ?? false },
      { parent: this },
    );
    this.queue = new aws.sqs.Queue(
      name,
      {
        name: `${args.queueName}${suffix}`,
        ...fifo,
        visibilityTimeoutSeconds: visibility,
        messageRetentionSeconds: SQS_MAX_RETENTION_SECONDS,
        sqsManagedSseEnabled: true,
        redrivePolicy: pulumi.jsonStringify({
          deadLetterTargetArn: this.deadLetterQueue.arn,
          maxReceiveCount: args.maxReceives ?? DEFAULT_MAX_RECEIVES,
        }),
      },
      { parent: this },
    );

    this.registerOutputs({
      url: this.queue.url,
      deadLetterUrl: this.deadLetterQueue.url,
    });
  }
}

export interface DeadLetterQueueArgs {
  /** Physical name; `.fifo` is appended for a FIFO queue. */
  readonly queueName: string;
  readonly fifo?: boolean;
}

/**
 * A queue that holds what could not be handled or delivered, for a person
 * to look at or redrive: encrypted, kept as long as SQS allows, and with
 * no dead-letter queue of its own.
 */
export function createDeadLetterQueue(
  name: string,
  args: DeadLetterQueueArgs,
  opts?: pulumi.CustomResourceOptions,
): aws.sqs.Queue {
  const suffix = args.fifo ? ".fifo" : "";

  return new aws.sqs.Queue(
    name,
    {
      name: `${args.queueName}${suffix}`,
      ...(args.fifo ? { fifoQueue: true } : {}),
      messageRetentionSeconds: SQS_MAX_RETENTION_SECONDS,
      sqsManagedSseEnabled: true,
    },
    opts,
  );
}

/** Receiving from a queue, as a Lambda event source mapping does it. */
export function consumeQueue(
  sid: string,
  queueArn: pulumi.Input<string>,
): Statement {
  return {
    Sid: `Consume${sid}`,
    Effect: "Allow",
    Action: [
      "sqs:ReceiveMessage",
      "sqs:DeleteMessage",
      "sqs:ChangeMessageVisibility",
      "sqs:GetQueueAttributes",
    ],
    Resource: [queueArn],
  };
}
