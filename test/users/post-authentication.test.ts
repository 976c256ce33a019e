import { createServer, type Server } from "node:net";
import { InitiateAuthCommand } from "@aws-sdk/client-cognito-identity-provider";
import { SQSClient } from "@aws-sdk/client-sqs";
import type { PostAuthenticationTriggerEvent } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientOptions } from "../../src/aws/clients.ts";
import { SqsSyncQueue } from "../../src/aws/sqs-sync-queue.ts";
import {
  createDeployedPostAuthentication,
  createPostAuthenticationHandler,
} from "../../src/handlers/post-authentication.ts";
import { createSyncWorkerHandler } from "../../src/handlers/sync-worker.ts";
import { wireUserSync } from "../../src/handlers/user-sync-wiring.ts";
import { captureObservability } from "../support/observability.ts";
import { deleteSucceeded, receiveEvent } from "../support/sqs-events.ts";
import {
  startUserSyncEnv,
  type UserSyncEnv,
} from "../support/user-sync-env.ts";

let env: UserSyncEnv;

beforeAll(async () => {
  env = await startUserSyncEnv();
});

afterAll(async () => {
  await env?.stop();
});

function signInEvent(sub?: string): PostAuthenticationTriggerEvent {
  return {
    version: "1",
    region: "us-east-1",
    userPoolId: "us-east-1_test",
    userName: "someone",
    callerContext: { awsSdkVersion: "test", clientId: "client" },
    triggerSource: "PostAuthentication_Authentication",
    request: {
      userAttributes: {
        ...(sub ? { sub } : {}),
        email: "secret-address@example.test",
      },
      newDeviceUsed: false,
    },
    response: {},
  };
}

function trigger(queueEndpoint: string, timeoutMs = 1500) {
  const capture = captureObservability("post-authentication");
  const sqs = new SQSClient(clientOptions("us-east-1", queueEndpoint));
  const handler = createPostAuthenticationHandler({
    queue: new SqsSyncQueue(sqs, `${queueEndpoint}/000000000000/sync`),
    timeoutMs,
    observability: capture.observability,
  });

  return { handler, capture };
}

describe("post-authentication trigger", () => {
  it("a new user appears in the table after signing in", async () => {
    const wiring = wireUserSync(env.config, env.aws, env.clients);
    const capture = captureObservability("post-authentication");
    env.lambda.register(
      "post-authentication",
      createPostAuthenticationHandler({
        queue: wiring.queue,
        timeoutMs: 1500,
        observability: capture.observability,
      }) as (event: unknown) => Promise<unknown>,
    );
    const userId = await env.createUser("newcomer@example.test", {
      name: "Newcomer",
    });

    await env.clients.cognito.send(
      new InitiateAuthCommand({
        ClientId: env.clientId,
        AuthFlow: "USER_PASSWORD_AUTH",
        AuthParameters: {
          USERNAME: "newcomer@example.test",
          PASSWORD: "Correct-horse-9",
        },
      }),
    );
    const { event, receipts } = await receiveEvent(
      env.clients.sqs,
      env.config.SYNC_QUEUE_URL,
    );
    const worker = createSyncWorkerHandler({
      sync: wiring.sync,
      observability: captureObservability("sync-worker").observability,
    });
    const result = await worker(event);
    await deleteSucceeded(
      env.clients.sqs,
      env.config.SYNC_QUEUE_URL,
      receipts,
      [],
    );

    expect(event.Records.map((record) => JSON.parse(record.body))).toEqual([
      { userId, reason: "sign-in" },
    ]);
    expect(result.batchItemFailures).toEqual([]);
    expect((await wiring.store.get(userId))?.name).toBe("Newcomer");
    expect(capture.text()).not.toContain("newcomer@example.test");
  });

  it("returns the event when the queue is down, and logs no email", async () => {
    const closed = await closedPort();
    const { handler, capture } = trigger(`http://127.0.0.1:${closed}`);
    const event = signInEvent("8f4c0e2a-0000-4000-8000-000000000001");

    const returned = await handler(event);

    expect(returned).toBe(event);
    expect(capture.lines).toContainEqual(
      expect.objectContaining({
        level: "ERROR",
        message: "could not enqueue sync after sign-in",
        userId: "8f4c0e2a-0000-4000-8000-000000000001",
      }),
    );
    expect(capture.text()).not.toContain("secret-address");
  });

  it("gives up on a queue that never answers, well within Cognito's deadline", async () => {
    const silent = await silentServer();
    const { handler } = trigger(silent.url, 300);
    const event = signInEvent("8f4c0e2a-0000-4000-8000-000000000002");
    const started = Date.now();

    const returned = await handler(event);

    expect(returned).toBe(event);
    expect(Date.now() - started).toBeLessThan(2000);
    silent.server.close();
  });

  it("lets the sign-in through when its configuration is broken, and recovers once it is fixed", async () => {
    const capture = captureObservability("post-authentication");
    const settings: Record<string, string | undefined> = {
      AWS_REGION: "us-east-1",
      SQS_ENDPOINT: env.aws.SQS_ENDPOINT,
    };
    const deployed = createDeployedPostAuthentication(
      settings,
      capture.observability,
    );
    const userId = "8f4c0e2a-0000-4000-8000-000000000003";
    const event = signInEvent(userId);

    expect(await deployed(event)).toBe(event);
    expect(capture.lines).toContainEqual(
      expect.objectContaining({
        level: "ERROR",
        message: "trigger misconfigured; sign-in allowed, nothing enqueued",
        error: expect.objectContaining({
          message: expect.stringContaining("SYNC_QUEUE_URL is not set"),
        }),
      }),
    );

    settings.SYNC_QUEUE_URL = env.config.SYNC_QUEUE_URL;
    expect(await deployed(event)).toBe(event);
    const { event: queued, receipts } = await receiveEvent(
      env.clients.sqs,
      env.config.SYNC_QUEUE_URL,
    );
    expect(queued.Records.map((record) => JSON.parse(record.body))).toEqual([
      { userId, reason: "sign-in" },
    ]);
    await deleteSucceeded(
      env.clients.sqs,
      env.config.SYNC_QUEUE_URL,
      receipts,
      [],
    );
  });

  it("returns malformed events untouched without enqueueing", async () => {
    const { handler, capture } = trigger(env.aws.SQS_ENDPOINT ?? "");
    const withoutSub = signInEvent();
    const hostile = signInEvent('"; DROP TABLE users; --');

    expect(await handler(withoutSub)).toBe(withoutSub);
    expect(await handler(hostile)).toBe(hostile);
    expect(await handler({} as PostAuthenticationTriggerEvent)).toEqual({});
    expect(
      capture.lines.filter((line) =>
        line.message?.toString().includes("no usable sub"),
      ),
    ).toHaveLength(3);
  });
});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));

  return port;
}

/** Accepts connections and never answers: a queue that hangs. */
async function silentServer(): Promise<{ url: string; server: Server }> {
  const server = createServer(() => {});
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };

  return { url: `http://127.0.0.1:${port}`, server };
}
