import { AdminDeleteUserCommand } from "@aws-sdk/client-cognito-identity-provider";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handler, resyncOptionsFrom } from "../../src/handlers/resync.ts";
import { wireUserSync } from "../../src/handlers/user-sync-wiring.ts";
import {
  startUserSyncEnv,
  type UserSyncEnv,
} from "../support/user-sync-env.ts";

let env: UserSyncEnv;

beforeAll(async () => {
  env = await startUserSyncEnv();
  // The scheduled handler builds itself from the environment, as in Lambda.
  Object.assign(process.env, {
    ...env.aws,
    ...Object.fromEntries(
      Object.entries(env.config).map(([name, value]) => [name, String(value)]),
    ),
  });
});

afterAll(async () => {
  await env?.stop();
});

describe("scheduled resync handler", () => {
  it("syncs everyone and prunes by default, as the nightly schedule runs it", async () => {
    const kept = await env.createUser("kept@example.test", { name: "Kept" });
    const gone = await env.createUser("gone@example.test", { name: "Gone" });
    await handler({ prune: false });
    await env.clients.cognito.send(
      new AdminDeleteUserCommand({
        UserPoolId: env.userPoolId,
        Username: gone,
      }),
    );

    const summary = await handler(null);

    const store = wireUserSync(env.config, env.aws, env.clients).store;
    expect(summary).toEqual({ synced: 0, unchanged: 1, pruned: 1, failed: 0 });
    expect(await store.get(gone)).toBeUndefined();
    expect((await store.get(kept))?.name).toBe("Kept");
  });

  it("ignores overrides of the wrong type or out of range", () => {
    expect(resyncOptionsFrom(undefined)).toEqual({
      prune: true,
      concurrency: 8,
    });
    expect(resyncOptionsFrom({ prune: "no", concurrency: "lots" })).toEqual({
      prune: true,
      concurrency: 8,
    });
    expect(resyncOptionsFrom({ prune: false, concurrency: 1e9 })).toEqual({
      prune: false,
      concurrency: 8,
    });
    expect(resyncOptionsFrom({ prune: false, concurrency: "4" })).toEqual({
      prune: false,
      concurrency: 4,
    });
  });
});
