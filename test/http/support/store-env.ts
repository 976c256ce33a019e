/**
 * dynalite with a users table and the real DynamoUserStore, for the
 * endpoints that only read profiles. The syncer, queue and identifier throw
 * if reached: these tests must not depend on them.
 */
import { randomUUID } from "node:crypto";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { createAwsClients } from "../../../src/aws/clients.ts";
import { DynamoUserStore } from "../../../src/aws/dynamo-user-store.ts";
import type { HttpLogger } from "../../../src/http/context.ts";
import type { AppDeps } from "../../../src/http/deps.ts";
import { HttpUnauthorizedError } from "../../../src/http/errors.ts";
import { startDynalite } from "../../../src/local/engines/dynalite.ts";
import type { Engine } from "../../../src/local/engines/types.ts";
import { createUsersTable } from "../../../src/local/provision.ts";
import type { UserProfile } from "../../../src/users/profile.ts";

export interface StoreEnv {
  readonly store: DynamoUserStore;
  /** A store over a table that does not exist: every call fails. */
  readonly brokenStore: DynamoUserStore;
  readonly logs: string[];
  appDeps(overrides?: Partial<AppDeps>): AppDeps;
  stop(): Promise<void>;
}

export async function startStoreEnv(): Promise<StoreEnv> {
  const engine: Engine = await startDynalite();
  const clients = createAwsClients({
    AWS_REGION: "us-east-1",
    DYNAMODB_ENDPOINT: engine.endpoint,
  });
  const table = `users-${randomUUID().slice(0, 8)}`;
  const raw = new DynamoDBClient({
    region: "us-east-1",
    endpoint: engine.endpoint,
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  await createUsersTable(raw, table);
  raw.destroy();
  const store = new DynamoUserStore(clients.dynamo, table);
  const logs: string[] = [];
  const record = (message: string, attributes: Record<string, unknown>) =>
    logs.push(JSON.stringify({ message, ...attributes }));
  const logger: HttpLogger = { info: record, warn: record, error: record };
  const unused = (what: string) => () => {
    throw new Error(`${what} should not be used by this test`);
  };

  return {
    store,
    brokenStore: new DynamoUserStore(clients.dynamo, "no-such-table"),
    logs,
    appDeps: (overrides = {}) => ({
      syncer: { sync: unused("the syncer") },
      store,
      queue: { enqueue: unused("the queue") },
      identify: async () => {
        throw new HttpUnauthorizedError("no caller in this test");
      },
      minIntervalSeconds: 10,
      logger,
      ...overrides,
    }),
    stop: () => engine.stop(),
  };
}

/** A stored profile for `id`, with every optional field set. */
export function profileFor(id: string, name = `User ${id}`): UserProfile {
  return {
    id,
    name,
    nickname: name.split(" ")[0],
    picture: `https://cdn.example.test/avatars/${id}/abc.png`,
    groups: ["admin"],
    enabled: true,
    createdAt: "2026-01-01T00:00:00.000Z",
    updatedAt: "2026-02-01T00:00:00.000Z",
    syncedAt: "2026-02-01T00:00:01.000Z",
  };
}
