import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/http/app.ts";
import {
  profileFor,
  type StoreEnv,
  startStoreEnv,
} from "./support/store-env.ts";

let env: StoreEnv;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  env = await startStoreEnv();
  app = createApp(env.appDeps());
  await env.store.put(profileFor("u-1", "Ada Lovelace"));
  await env.store.put(profileFor("u-2", "Grace Hopper"));
  // The rate-limit stamp lives on the same item; it must never be served.
  await env.store.claimSyncSlot("u-1", new Date(), 10);
  // A user who asked for a sync but was never stored: only the stamp exists.
  await env.store.claimSyncSlot("u-stamp-only", new Date(), 10);
});

afterAll(async () => {
  await env?.stop();
});

async function errorOf(response: Response) {
  return (
    (await response.json()) as { error: { code: string; message: string } }
  ).error;
}

describe("GET /v1/users/:id", () => {
  it("answers the public profile, without internal attributes", async () => {
    const response = await app.request("/v1/users/u-1");

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(profileFor("u-1", "Ada Lovelace"));
  });

  it("answers 404 for an unknown user", async () => {
    const response = await app.request("/v1/users/nobody");

    expect(response.status).toBe(404);
    expect(await errorOf(response)).toEqual({
      code: "user_not_found",
      message: "No user has this id",
    });
  });

  it("answers 404 for a user known only by a rate-limit stamp", async () => {
    expect((await app.request("/v1/users/u-stamp-only")).status).toBe(404);
  });

  it("answers 400 for an id that cannot be a user id", async () => {
    for (const id of ["a.b", "a%20b", "x".repeat(129)]) {
      const response = await app.request(`/v1/users/${id}`);

      expect(response.status).toBe(400);
      expect((await errorOf(response)).message).toMatch(/1 to 128 characters/);
    }
  });
});

describe("GET /v1/users?ids=", () => {
  it("answers the profiles found, in the order asked, and lists the missing", async () => {
    const response = await app.request("/v1/users?ids=u-2,ghost,u-1");

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      users: [
        profileFor("u-2", "Grace Hopper"),
        profileFor("u-1", "Ada Lovelace"),
      ],
      missing: ["ghost"],
    });
  });

  it("trims, drops empty entries, de-duplicates and merges repeated ids", async () => {
    const response = await app.request("/v1/users?ids=%20u-1%20,,u-1&ids=u-2");

    const body = (await response.json()) as { users: { id: string }[] };
    expect(body.users.map((user) => user.id)).toEqual(["u-1", "u-2"]);
  });

  it("accepts 100 ids", async () => {
    const ids = Array.from({ length: 100 }, (_, i) => `id-${i}`);
    ids[0] = "u-1";

    const response = await app.request(`/v1/users?ids=${ids.join(",")}`);

    expect(response.status).toBe(200);
    const body = (await response.json()) as { missing: string[] };
    expect(body.missing).toHaveLength(99);
  });

  it("answers 400 naming the limit for more than 100 ids", async () => {
    const ids = Array.from({ length: 101 }, (_, i) => `id-${i}`);

    const response = await app.request(`/v1/users?ids=${ids.join(",")}`);

    expect(response.status).toBe(400);
    expect(await errorOf(response)).toEqual({
      code: "bad_request",
      message:
        "Query parameter ids lists 101 user ids; at most 100 are allowed per request",
    });
  });

  it("answers 400 when no id is given", async () => {
    for (const query of ["", "?ids=", "?ids=,%20,"]) {
      const response = await app.request(`/v1/users${query}`);

      expect(response.status).toBe(400);
      expect((await errorOf(response)).message).toMatch(
        /ids must list 1 to 100/,
      );
    }
  });

  it("answers 400 naming the entry that is not a user id", async () => {
    const response = await app.request("/v1/users?ids=u-1,not/an/id");

    expect(response.status).toBe(400);
    expect((await errorOf(response)).message).toMatch(
      /entry 2 is not a user id/,
    );
  });
});
