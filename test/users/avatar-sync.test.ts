/**
 * The cached avatar through the sync worker, over successive syncs: what
 * Gravatar's answers and the user's choice do to the profile's picture,
 * Cognito's picture attribute and the avatars bucket.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type UserSyncWiring,
  wireUserSync,
} from "../../src/handlers/user-sync-wiring.ts";
import { UserSync } from "../../src/users/sync-user.ts";
import {
  type FakeGravatar,
  startFakeGravatar,
} from "../support/fake-gravatar.ts";
import { sqsRecord } from "../support/sqs-events.ts";
import {
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

describe("the avatar over successive syncs", () => {
  /** Syncs an opted-in user once with a PNG; returns its id and picture. */
  async function withCachedAvatar(email: string) {
    gravatar.answer(emailHash(email), { kind: "image", format: "png" });
    const userId = await env.createUser(email, {
      "custom:enable_gravatar": "true",
    });
    await worker().handler({ Records: [sqsRecord(userId)] });
    const picture = (await wiring.store.get(userId))?.picture;
    expect(picture).toMatch(/\/avatars\//);

    return { userId, picture };
  }

  async function pictures(userId: string) {
    return {
      profile: (await wiring.store.get(userId))?.picture,
      cognito: (await wiring.directory.getUser(userId))?.attributes.picture,
      objects: (await avatarKeys(userId)).length,
    };
  }

  it("clears the profile's and Cognito's picture when Gravatar answers 404", async () => {
    const email = "vanished@example.test";
    const { userId } = await withCachedAvatar(email);
    gravatar.answer(emailHash(email), { kind: "status", status: 404 });

    await worker().handler({ Records: [sqsRecord(userId)] });

    expect(await pictures(userId)).toEqual({
      profile: undefined,
      cognito: undefined,
      objects: 0,
    });
  });

  it("clears them when the user opts out", async () => {
    const { userId } = await withCachedAvatar("opting-out@example.test");
    await updateAttributes(userId, { "custom:enable_gravatar": "false" });

    await worker().handler({ Records: [sqsRecord(userId)] });

    expect(await pictures(userId)).toEqual({
      profile: undefined,
      cognito: undefined,
      objects: 0,
    });
  });

  it("keeps them when Gravatar answers 5xx or times out, and tries again next time", async () => {
    const email = "flaky@example.test";
    const { userId, picture } = await withCachedAvatar(email);
    const kept = { profile: picture, cognito: picture, objects: 1 };

    gravatar.answer(emailHash(email), { kind: "status", status: 502 });
    await worker().handler({ Records: [sqsRecord(userId)] });
    expect(await pictures(userId)).toEqual(kept);

    // The env's Gravatar timeout is 2 s.
    gravatar.answer(emailHash(email), {
      kind: "slow",
      delayMs: 2_500,
      phase: "headers",
    });
    await worker().handler({ Records: [sqsRecord(userId)] });
    expect(await pictures(userId)).toEqual(kept);

    gravatar.answer(emailHash(email), {
      kind: "image",
      format: "png",
      variant: 1,
    });
    await worker().handler({ Records: [sqsRecord(userId)] });
    const renewed = await pictures(userId);
    expect(renewed.profile).not.toBe(picture);
    expect(renewed.cognito).toBe(renewed.profile);
    expect(renewed.objects).toBe(1);
  }, 15_000);

  it("deletes a copy a half-done sync left when the user opts out", async () => {
    const email = "half-done@example.test";
    gravatar.answer(emailHash(email), { kind: "image", format: "png" });
    const userId = await env.createUser(email, {
      "custom:enable_gravatar": "true",
    });
    // The avatar is stored, then Cognito fails before any picture is set.
    const directory = wiring.directory;
    const interrupted = new UserSync({
      directory: {
        getUser: (id) => directory.getUser(id),
        listUsers: () => directory.listUsers(),
        setPicture: () => Promise.reject(new Error("Cognito is unavailable")),
      },
      store: wiring.store,
      avatars: wiring.avatars,
    });
    await expect(interrupted.sync(userId)).rejects.toThrow(/unavailable/);
    expect(await pictures(userId)).toEqual({
      profile: undefined,
      cognito: undefined,
      objects: 1,
    });
    await updateAttributes(userId, { "custom:enable_gravatar": "false" });

    await worker().handler({ Records: [sqsRecord(userId)] });

    expect((await pictures(userId)).objects).toBe(0);
  });

  it("writes Cognito's picture only when it changes", async () => {
    const { userId } = await withCachedAvatar("steady@example.test");
    const writes: (string | undefined)[] = [];
    const directory = wiring.directory;
    const sync = new UserSync({
      directory: {
        getUser: (id) => directory.getUser(id),
        listUsers: () => directory.listUsers(),
        setPicture: (user, picture) => {
          writes.push(picture);
          return directory.setPicture(user, picture);
        },
      },
      store: wiring.store,
      avatars: wiring.avatars,
    });

    await sync.sync(userId);
    await sync.sync(userId);

    expect(writes).toEqual([]);
  });
});
