/**
 * Racing syncs of one user against the real engines: a snapshot read
 * earlier that arrives last must not win, nor leave its avatar or Cognito
 * picture behind.
 */
import { createHash } from "node:crypto";
import { AdminUpdateUserAttributesCommand } from "@aws-sdk/client-cognito-identity-provider";
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type UserSyncWiring,
  wireUserSync,
} from "../../src/handlers/user-sync-wiring.ts";
import type { UserStore } from "../../src/users/ports.ts";
import type { DirectoryUser } from "../../src/users/profile.ts";
import { UserSync } from "../../src/users/sync-user.ts";
import {
  type FakeGravatar,
  startFakeGravatar,
} from "../support/fake-gravatar.ts";
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

/** The user as Cognito holds them now, with when the read began. */
async function read(userId: string): Promise<[DirectoryUser, Date]> {
  const readAt = new Date();
  const user = await wiring.directory.getUser(userId);
  if (!user) throw new Error(`setup: ${userId} is not in Cognito`);

  return [user, readAt];
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

const emailHash = (email: string) =>
  createHash("sha256").update(email.trim().toLowerCase()).digest("hex");

describe("racing syncs of one user", () => {
  it("keeps a group change when an earlier read with the same updatedAt arrives last", async () => {
    const userId = await env.createUser("race@example.test", { name: "Race" });
    const [beforeGroup, firstReadAt] = await read(userId);
    await addToGroup(env, userId, "admin");
    const [afterGroup, secondReadAt] = await read(userId);

    const newer = await wiring.sync.apply(afterGroup, undefined, secondReadAt);
    const stored = await wiring.store.get(userId);
    const older = await wiring.sync.apply(beforeGroup, stored, firstReadAt);

    // The premise: Cognito does not move updatedAt for a group change.
    expect(afterGroup.updatedAt).toBe(beforeGroup.updatedAt);
    expect(newer.status).toBe("synced");
    expect(older.status).not.toBe("synced");
    expect((await wiring.store.get(userId))?.groups).toEqual(["admin"]);
  });

  it("undoes the avatar and Cognito picture a stale snapshot set", async () => {
    const email = "late-optout@example.test";
    gravatar.answer(emailHash(email), { kind: "image", format: "png" });
    const userId = await env.createUser(email, {
      "custom:enable_gravatar": "true",
    });
    const [optedIn, optedInReadAt] = await read(userId);
    await env.clients.cognito.send(
      new AdminUpdateUserAttributesCommand({
        UserPoolId: env.userPoolId,
        Username: userId,
        UserAttributes: [{ Name: "custom:enable_gravatar", Value: "false" }],
      }),
    );
    await wiring.sync.sync(userId);
    const stored = await wiring.store.get(userId);

    // The older opted-in snapshot caches an avatar and sets Cognito's
    // picture before its write is refused; the fresh read undoes both.
    const outcome = await wiring.sync.apply(optedIn, stored, optedInReadAt);

    expect(outcome).toMatchObject({ profile: { picture: undefined } });
    expect(await avatarKeys(userId)).toEqual([]);
    expect((await wiring.store.get(userId))?.picture).toBeUndefined();
    expect(
      (await wiring.directory.getUser(userId))?.attributes.picture,
    ).toBeUndefined();
    expect(gravatar.requests).not.toHaveLength(0);
  });

  it("answers stale, after one fresh read, when the table keeps refusing", async () => {
    const userId = await env.createUser("refused@example.test");
    const puts: string[] = [];
    const refusing: UserStore = {
      get: (id) => wiring.store.get(id),
      getMany: (ids) => wiring.store.getMany(ids),
      put: async (profile) => {
        puts.push(profile.syncedAt);
        return "stale";
      },
      delete: (id) => wiring.store.delete(id),
      listIds: () => wiring.store.listIds(),
      claimSyncSlot: (id, now, seconds) =>
        wiring.store.claimSyncSlot(id, now, seconds),
    };
    const sync = new UserSync({
      directory: wiring.directory,
      store: refusing,
      avatars: wiring.avatars,
    });

    const outcome = await sync.sync(userId);

    expect(outcome).toEqual({ status: "stale", profile: undefined });
    expect(puts).toHaveLength(2);
  });
});
