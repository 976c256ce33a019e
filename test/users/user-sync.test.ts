import { createHash } from "node:crypto";
import {
  AdminDeleteUserCommand,
  AdminRemoveUserFromGroupCommand,
  AdminUpdateUserAttributesCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSyncWorkerHandler } from "../../src/handlers/sync-worker.ts";
import {
  type UserSyncWiring,
  wireUserSync,
} from "../../src/handlers/user-sync-wiring.ts";
import type { DirectoryUser } from "../../src/users/profile.ts";
import {
  type FakeGravatar,
  startFakeGravatar,
} from "../support/fake-gravatar.ts";
import { captureObservability } from "../support/observability.ts";
import { sqsRecord } from "../support/sqs-events.ts";
import {
  addToGroup,
  startUserSyncEnv,
  type UserSyncEnv,
} from "../support/user-sync-env.ts";

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

const emailHash = (email: string) =>
  createHash("sha256").update(email.trim().toLowerCase()).digest("hex");

/** The worker with the real sync; its logs and counted metrics are kept. */
function worker() {
  const capture = captureObservability("sync-worker");
  const counted: string[] = [];
  const handler = createSyncWorkerHandler({
    sync: wiring.sync,
    observability: {
      ...capture.observability,
      count: (name) => {
        counted.push(name);
        capture.observability.count(name);
      },
    },
  });

  return { handler, capture, counted };
}

async function updateAttributes(
  userId: string,
  attributes: Record<string, string>,
) {
  await env.clients.cognito.send(
    new AdminUpdateUserAttributesCommand({
      UserPoolId: env.userPoolId,
      Username: userId,
      UserAttributes: Object.entries(attributes).map(([Name, Value]) => ({
        Name,
        Value,
      })),
    }),
  );
}

async function avatarKeys(userId: string): Promise<string[]> {
  const { Contents = [] } = await env.clients.s3.send(
    new ListObjectsV2Command({
      Bucket: env.config.AVATARS_BUCKET,
      Prefix: `${userId}/`,
    }),
  );

  return Contents.map((object) => object.Key ?? "");
}

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
    const failing = await env.createUser("failing@example.test");
    const capture = captureObservability("sync-worker");
    const handler = createSyncWorkerHandler({
      observability: capture.observability,
      sync: {
        sync: (userId) =>
          userId === failing
            ? Promise.reject(new Error("table throttled"))
            : wiring.sync.sync(userId),
      },
    });
    const failingRecord = sqsRecord(failing);

    const result = await handler({
      Records: [
        sqsRecord(good),
        failingRecord,
        sqsRecord("{not json"),
        sqsRecord(JSON.stringify({ userId: "../../etc" })),
        sqsRecord(JSON.stringify({ reason: "no user" })),
      ],
    });

    expect(result.batchItemFailures).toEqual([
      { itemIdentifier: failingRecord.messageId },
    ]);
    expect((await wiring.store.get(good))?.name).toBe("Good");
    expect(
      capture.lines.filter(
        (line) =>
          line.message === "dropped a sync message that can never succeed",
      ),
    ).toHaveLength(3);
  });

  it("rejects an event that is not an SQS batch with a clear error", async () => {
    const { handler } = worker();

    await expect(handler({} as never)).rejects.toThrow(
      /Unexpected batch type.*SQS/,
    );
  });
});
