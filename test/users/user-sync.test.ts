import { randomUUID } from "node:crypto";
import {
  AdminDeleteUserCommand,
  AdminRemoveUserFromGroupCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { SendMessageBatchCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSyncWorkerHandler } from "../../src/handlers/sync-worker.ts";
import {
  type UserSyncWiring,
  wireUserSync,
} from "../../src/handlers/user-sync-wiring.ts";
import { createQueueWithDlq } from "../../src/local/provision.ts";
import type { DirectoryUser } from "../../src/users/profile.ts";
import {
  type FakeGravatar,
  startFakeGravatar,
} from "../support/fake-gravatar.ts";
import { captureObservability } from "../support/observability.ts";
import {
  deleteSucceeded,
  receiveEvent,
  sqsRecord,
} from "../support/sqs-events.ts";
import {
  addToGroup,
  startUserSyncEnv,
  type UserSyncEnv,
} from "../support/user-sync-env.ts";
import { emailHash, syncWorkerFixture } from "./sync-worker-fixture.ts";

let env: UserSyncEnv;
let gravatar: FakeGravatar;
let wiring: UserSyncWiring;

beforeAll(async () => {
  gravatar = await startFakeGravatar();
  env = await startUserSyncEnv({ gravatarBaseUrl: gravatar.baseUrl });
  wiring = wireUserSync(env.config, env.aws, env.clients);
});

afterAll(async () => {
  await env?.stop();
  await gravatar?.stop();
});

const { worker, updateAttributes, avatarKeys } = syncWorkerFixture(
  () => env,
  () => wiring,
);

describe("sync worker", () => {
  it("stores the public profile of a user, without email or phone", async () => {
    const userId = await env.createUser("ada@example.test", {
      name: "Ada Lovelace",
      nickname: "ada",
      phone_number: "+15555550100",
    });
    const { handler, capture } = worker();

    const result = await handler({
      Records: [sqsRecord(JSON.stringify({ userId, reason: "sign-in" }))],
    });

    expect(result.batchItemFailures).toEqual([]);
    const stored = await wiring.store.get(userId);
    expect(stored).toMatchObject({
      id: userId,
      name: "Ada Lovelace",
      nickname: "ada",
      groups: [],
      enabled: true,
    });
    expect(Date.parse(stored?.syncedAt ?? "")).not.toBeNaN();
    expect(JSON.stringify(stored)).not.toMatch(/example\.test|5555550100/);
    expect(capture.text()).not.toContain("ada@example.test");
    expect(capture.lines).toContainEqual(
      expect.objectContaining({ message: "user synced", userId }),
    );
  });

  it("accepts a bare user id, as API Gateway sends it", async () => {
    const userId = await env.createUser("bare@example.test", { name: "Bare" });
    const { handler } = worker();

    await handler({ Records: [sqsRecord(`  ${userId}\n`)] });

    expect((await wiring.store.get(userId))?.name).toBe("Bare");
  });

  it("picks up an attribute change and a group change", async () => {
    const userId = await env.createUser("grace@example.test", {
      name: "Grace",
    });
    const { handler } = worker();
    await handler({ Records: [sqsRecord(userId)] });

    await updateAttributes(userId, { name: "Grace Hopper" });
    await addToGroup(env, userId, "admin");
    await handler({ Records: [sqsRecord(userId)] });
    const afterAdd = await wiring.store.get(userId);

    await env.clients.cognito.send(
      new AdminRemoveUserFromGroupCommand({
        UserPoolId: env.userPoolId,
        Username: userId,
        GroupName: "admin",
      }),
    );
    await handler({ Records: [sqsRecord(userId)] });

    expect(afterAdd).toMatchObject({ name: "Grace Hopper", groups: ["admin"] });
    expect((await wiring.store.get(userId))?.groups).toEqual([]);
  });

  it("leaves the newest state whatever order duplicate and stale snapshots arrive in", async () => {
    const userId = await env.createUser("order@example.test", { name: "New" });
    const { handler } = worker();
    await handler({ Records: [sqsRecord(userId), sqsRecord(userId)] });
    const newest = await wiring.store.get(userId);
    const older: DirectoryUser = {
      id: userId,
      username: userId,
      attributes: { name: "Old", sub: userId },
      groups: ["admin"],
      enabled: true,
      createdAt: newest?.createdAt ?? "",
      updatedAt: new Date(
        Date.parse(newest?.updatedAt ?? "") - 60_000,
      ).toISOString(),
    };

    const outcome = await wiring.sync.apply(older, undefined, new Date());

    // Refused, then read afresh from Cognito, which still holds the newest.
    expect(outcome).toMatchObject({
      status: "unchanged",
      profile: { name: "New", groups: [] },
    });
    expect(await wiring.store.get(userId)).toMatchObject({
      name: "New",
      groups: [],
      updatedAt: newest?.updatedAt,
    });
  });

  it("removes a user deleted from Cognito, with their cached avatar", async () => {
    const email = "gone@example.test";
    gravatar.answer(emailHash(email), { kind: "image", format: "png" });
    const userId = await env.createUser(email, {
      name: "Gone",
      "custom:enable_gravatar": "true",
    });
    const { handler } = worker();
    await handler({ Records: [sqsRecord(userId)] });
    const cached = await avatarKeys(userId);

    await env.clients.cognito.send(
      new AdminDeleteUserCommand({
        UserPoolId: env.userPoolId,
        Username: userId,
      }),
    );
    await handler({ Records: [sqsRecord(userId)] });

    expect(cached).toHaveLength(1);
    expect(await wiring.store.get(userId)).toBeUndefined();
    expect(await avatarKeys(userId)).toEqual([]);
  });

  it("writes the cached avatar into the profile and into Cognito", async () => {
    const email = "Pic@Example.test ";
    gravatar.answer(emailHash(email), { kind: "image", format: "jpeg" });
    const userId = await env.createUser(email.trim(), {
      "custom:enable_gravatar": "true",
    });
    const { handler } = worker();

    await handler({ Records: [sqsRecord(userId)] });

    const [key] = await avatarKeys(userId);
    const picture = `${env.config.CDN_BASE_URL}/avatars/${key}`;
    expect(key).toMatch(new RegExp(`^${userId}/[0-9a-f]{64}\\.jpg$`));
    expect((await wiring.store.get(userId))?.picture).toBe(picture);
    expect((await wiring.directory.getUser(userId))?.attributes.picture).toBe(
      picture,
    );
  });

  it("logs and counts why Gravatar was unavailable, without the email", async () => {
    const email = "down@example.test";
    gravatar.answer(emailHash(email), { kind: "status", status: 503 });
    const userId = await env.createUser(email, {
      "custom:enable_gravatar": "true",
    });
    const { handler, capture, counted } = worker();

    const direct = await wiring.sync.sync(userId);
    await handler({ Records: [sqsRecord(userId)] });

    expect(direct).toMatchObject({
      gravatarUnavailable: "Gravatar answered HTTP 503",
    });
    expect(counted).toContain("GravatarUnavailable");
    const synced = capture.lines.filter((line) => line.userId === userId);
    expect(synced).toEqual([
      expect.objectContaining({
        message: "user unchanged",
        gravatarUnavailable: "Gravatar answered HTTP 503",
      }),
    ]);
    expect(capture.text()).not.toContain(email);
    expect(capture.text()).not.toContain(emailHash(email));
    expect(capture.text()).not.toContain(gravatar.baseUrl);
  });

  it("retries only the failing record of a batch and drops hopeless ones", async () => {
    const good = await env.createUser("good@example.test", { name: "Good" });
    const failing = await env.createUser("failing@example.test", {
      name: "Failing",
    });
    // A queue with a 1 s visibility timeout, so the redelivery comes soon.
    const { queueUrl } = await createQueueWithDlq(
      env.clients.sqs,
      `sync-retry-${randomUUID().slice(0, 8)}`,
      1,
    );
    const bodies = [
      good,
      JSON.stringify({ userId: failing, reason: "sign-in" }),
      "{not json",
      JSON.stringify({ userId: "../../etc" }),
      JSON.stringify({ reason: "no user" }),
    ];
    await env.clients.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: bodies.map((MessageBody, i) => ({ Id: `m${i}`, MessageBody })),
      }),
    );
    // The failing user's sync fails once (a throttled table), then works.
    let failuresLeft = 1;
    const capture = captureObservability("sync-worker");
    const handler = createSyncWorkerHandler({
      observability: capture.observability,
      sync: {
        sync: (userId) =>
          userId === failing && failuresLeft-- > 0
            ? Promise.reject(new Error("table throttled"))
            : wiring.sync.sync(userId),
      },
    });

    // As Lambda's event source mapping does: receive, handle, delete the
    // records not reported as failed.
    const first = await receiveEvent(env.clients.sqs, queueUrl);
    expect(first.event.Records).toHaveLength(5);
    const firstResult = await handler(first.event);
    const failedIds = firstResult.batchItemFailures.map(
      (f) => f.itemIdentifier,
    );
    await deleteSucceeded(env.clients.sqs, queueUrl, first.receipts, failedIds);

    expect(failedIds).toHaveLength(1);
    const failedBody = first.event.Records.find(
      (r) => r.messageId === failedIds[0],
    )?.body;
    expect(JSON.parse(failedBody ?? "{}").userId).toBe(failing);
    expect((await wiring.store.get(good))?.name).toBe("Good");
    expect(await wiring.store.get(failing)).toBeUndefined();
    expect(
      capture.lines.filter(
        (line) =>
          line.message === "dropped a sync message that can never succeed",
      ),
    ).toHaveLength(3);

    const second = await receiveEvent(env.clients.sqs, queueUrl, {
      waitSeconds: 5,
    });
    expect(second.event.Records.map((r) => r.body)).toEqual([failedBody]);
    const secondResult = await handler(second.event);
    await deleteSucceeded(env.clients.sqs, queueUrl, second.receipts, []);

    expect(secondResult.batchItemFailures).toEqual([]);
    expect((await wiring.store.get(failing))?.name).toBe("Failing");
    const third = await receiveEvent(env.clients.sqs, queueUrl, {
      waitSeconds: 2,
    });
    expect(third.event.Records).toEqual([]);
  }, 30_000);

  it("rejects an event that is not an SQS batch with a clear error", async () => {
    const { handler } = worker();

    await expect(handler({} as never)).rejects.toThrow(
      /Unexpected batch type.*SQS/,
    );
  });
});
