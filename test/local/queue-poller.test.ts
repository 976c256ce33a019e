import {
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
} from "@aws-sdk/client-sqs";
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAwsClients } from "../../src/aws/clients.ts";
import { startFauxqs } from "../../src/local/engines/fauxqs.ts";
import type { Engine } from "../../src/local/engines/types.ts";
import { formatDeadLetter } from "../../src/local/log-format.ts";
import {
  createQueueWithDlq,
  dlqNameOf,
  MAX_RECEIVE_COUNT,
} from "../../src/local/provision.ts";
import {
  type DeadLetterNotice,
  startQueuePoller,
} from "../../src/local/queue-poller.ts";
import { eventually } from "../support/local-core-process.ts";

let engine: Engine;
let sqs: ReturnType<typeof createAwsClients>["sqs"];

beforeAll(async () => {
  engine = await startFauxqs();
  sqs = createAwsClients({
    AWS_REGION: "us-east-1",
    SQS_ENDPOINT: engine.endpoint,
  }).sqs;
});

afterAll(async () => {
  await engine?.stop();
});

async function visibleCount(queueUrl: string): Promise<number> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: [
        "ApproximateNumberOfMessages",
        "ApproximateNumberOfMessagesNotVisible",
      ],
    }),
  );

  return (
    Number(Attributes?.ApproximateNumberOfMessages ?? 0) +
    Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
}

/** A body a real record might carry; its email must never be logged. */
const BAD = '{"userId":"u-1","email":"someone@example.test"}';

describe("queue poller", () => {
  it("deletes handled messages and moves one that keeps failing to the DLQ, saying so once", async () => {
    const { queueUrl, dlqUrl } = await createQueueWithDlq(sqs, "poller", 1);
    const attempts = new Map<string, number>();
    const notices: DeadLetterNotice[] = [];
    const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
      for (const record of event.Records) {
        attempts.set(record.body, (attempts.get(record.body) ?? 0) + 1);
      }
      return {
        batchItemFailures: event.Records.filter((r) => r.body === BAD).map(
          (r) => ({ itemIdentifier: r.messageId }),
        ),
      };
    };
    const poller = startQueuePoller({
      sqs,
      queueUrl,
      handler,
      onError: (error) => {
        throw error;
      },
      redrive: {
        maxReceiveCount: MAX_RECEIVE_COUNT,
        deadLetterQueue: dlqNameOf("poller"),
      },
      onDeadLetter: (notice) => notices.push(notice),
    });
    const sent = new Map<string, string>();
    for (const body of ["good", BAD]) {
      const { MessageId } = await sqs.send(
        new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }),
      );
      sent.set(body, MessageId ?? "");
    }

    const dead = await eventually(
      async () => {
        const { Messages = [] } = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: dlqUrl, WaitTimeSeconds: 0 }),
        );
        return Messages.length > 0 ? Messages : undefined;
      },
      "the failing message in the DLQ",
      15_000,
      200,
    );
    await poller.stop();

    expect(dead.map((message) => message.Body)).toEqual([BAD]);
    expect(attempts.get("good")).toBe(1);
    expect(attempts.get(BAD)).toBe(MAX_RECEIVE_COUNT);
    expect(await visibleCount(queueUrl)).toBe(0);
    expect(notices).toEqual([
      {
        queue: "poller",
        deadLetterQueue: "poller-dlq",
        messageId: sent.get(BAD),
        receiveCount: MAX_RECEIVE_COUNT,
        maxReceiveCount: MAX_RECEIVE_COUNT,
      },
    ]);
  });

  it("logs a record moving to the DLQ by queue and id, never by email", () => {
    const line = formatDeadLetter("sync-worker", {
      queue: "user-sync",
      deadLetterQueue: "user-sync-dlq",
      messageId: "7f1c-42",
      receiveCount: 5,
      maxReceiveCount: 5,
    });

    expect(line).toMatch(
      /^\d\d:\d\d:\d\d sync-worker +WARN record 7f1c-42 failed receive 5 of 5; it moves to user-sync-dlq queue=user-sync$/,
    );
    expect(line).not.toContain("@");
  });

  it("stops at once while a long poll waits", async () => {
    const { queueUrl } = await createQueueWithDlq(sqs, "idle", 1);
    const poller = startQueuePoller({
      sqs,
      queueUrl,
      handler: async () => ({ batchItemFailures: [] }),
      onError: () => {},
    });
    await new Promise((resolve) => setTimeout(resolve, 200));

    const started = performance.now();
    await poller.stop();

    expect(performance.now() - started).toBeLessThan(1000);
  });
});
