/**
 * The users table's write guard against dynalite: which of two snapshots of
 * a user survives, whatever order they arrive in.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { UserProfile } from "../../src/users/profile.ts";
import {
  profileFor,
  type StoreEnv,
  startStoreEnv,
} from "../http/support/store-env.ts";

let env: StoreEnv;

beforeAll(async () => {
  env = await startStoreEnv();
});

afterAll(async () => {
  await env?.stop();
});

/** A snapshot of `id` read from Cognito at `syncedAt`. */
function snapshot(
  id: string,
  fields: Partial<UserProfile> & Pick<UserProfile, "syncedAt">,
): UserProfile {
  return { ...profileFor(id), groups: [], ...fields };
}

describe("the users table's write guard", () => {
  it("keeps the later read when two snapshots share an updatedAt", async () => {
    const id = randomUUID();
    const earlierRead = snapshot(id, {
      groups: [],
      syncedAt: "2026-02-01T00:00:01.000Z",
    });
    const laterRead = snapshot(id, {
      groups: ["admin"],
      syncedAt: "2026-02-01T00:00:02.000Z",
    });

    const first = await env.store.put(laterRead);
    const last = await env.store.put(earlierRead);

    expect(first).toBe("written");
    expect(last).toBe("stale");
    expect((await env.store.get(id))?.groups).toEqual(["admin"]);
  });

  it("takes a later read with the same updatedAt, and a repeat of the same read", async () => {
    const id = randomUUID();
    const before = snapshot(id, { syncedAt: "2026-02-01T00:00:01.000Z" });
    const after = snapshot(id, {
      groups: ["admin"],
      syncedAt: "2026-02-01T00:00:05.000Z",
    });

    await env.store.put(before);
    const later = await env.store.put(after);
    const repeated = await env.store.put(after);

    expect([later, repeated]).toEqual(["written", "written"]);
    expect((await env.store.get(id))?.groups).toEqual(["admin"]);
  });

  it("refuses an older updatedAt even when it was read later", async () => {
    const id = randomUUID();
    await env.store.put(
      snapshot(id, {
        name: "New",
        updatedAt: "2026-02-01T00:00:00.000Z",
        syncedAt: "2026-02-01T00:00:01.000Z",
      }),
    );

    const result = await env.store.put(
      snapshot(id, {
        name: "Old",
        updatedAt: "2026-01-31T00:00:00.000Z",
        syncedAt: "2026-02-01T00:09:00.000Z",
      }),
    );

    expect(result).toBe("stale");
    expect((await env.store.get(id))?.name).toBe("New");
  });

  it("writes a profile over a rate-limit stamp and keeps the stamp", async () => {
    const id = randomUUID();
    const now = new Date("2026-02-01T00:00:00.000Z");
    await env.store.claimSyncSlot(id, now, 10);
    const stampOnly = await env.store.get(id);

    const result = await env.store.put(
      snapshot(id, { syncedAt: "2026-02-01T00:00:01.000Z" }),
    );

    expect(stampOnly).toBeUndefined();
    expect(result).toBe("written");
    expect((await env.store.get(id))?.id).toBe(id);
    expect(await env.store.claimSyncSlot(id, now, 10)).toEqual({
      granted: false,
      retryAfterSeconds: 10,
    });
  });
});
