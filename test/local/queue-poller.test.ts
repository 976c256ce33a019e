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
import {
  createQueueWithDlq,
  MAX_RECEIVE_COUNT,
} from "../../src/local/provision.ts";
import { startQueuePoller } from "../../src/local/queue-poller.ts";
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

describe("queue poller", () => {
  it("deletes handled messages and moves one that keeps failing to the DLQ", async () => {
    const { queueUrl, dlqUrl } = await createQueueWithDlq(sqs, "poller", 1);
    const attempts = new Map<string, number>();
    const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
      for (const record of event.Records) {
        attempts.set(record.body, (attempts.get(record.body) ?? 0) + 1);
      }
      return {
        batchItemFailures: event.Records.filter((r) => r.body === "bad").map(
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
    });
    for (const body of ["good", "bad"]) {
      await sqs.send(
        new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }),
      );
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

    expect(dead.map((message) => message.Body)).toEqual(["bad"]);
    expect(attempts.get("good")).toBe(1);
    expect(attempts.get("bad")).toBe(MAX_RECEIVE_COUNT);
    expect(await visibleCount(queueUrl)).toBe(0);
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
