/**
 * The users table in DynamoDB: one item per user, key `id`.
 *
 * Writes are conditional on Cognito's last-modified time so an older
 * snapshot never replaces a newer one; on a tie, on when Cognito was read
 * (`syncedAt`), since group changes leave the last-modified time alone. The
 * on-demand sync limit lives on the same item (`syncRequestedAt`), so it
 * holds across Lambda instances; it is never part of the profile served to
 * clients.
 */
import {
  BatchGetCommand,
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  ScanCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { UserStoreError } from "../users/errors.ts";
import type { PutResult, SyncSlot, UserStore } from "../users/ports.ts";
import type { UserProfile } from "../users/profile.ts";
import { isAwsError } from "./errors.ts";

/** BatchGetItem reads at most 100 keys per call. */
const BATCH_GET_LIMIT = 100;
const MAX_BATCH_ATTEMPTS = 5;

/**
 * Accepts a snapshot unless the item holds a newer one. An item without
 * `updatedAt` is new, or only a rate-limit stamp (`{id, syncRequestedAt}`).
 * Equal `updatedAt` values are ordered by `syncedAt`, the time Cognito was
 * read, so of two reads between which only the groups changed the later
 * one wins. ISO 8601 strings of one format order as the times they name.
 */
const NEWER_SNAPSHOT_ONLY = [
  "attribute_not_exists(#updatedAt)",
  "#updatedAt < :updatedAt",
  "(#updatedAt = :updatedAt AND (attribute_not_exists(#syncedAt) OR #syncedAt <= :syncedAt))",
].join(" OR ");

const PROFILE_FIELDS = [
  "name",
  "nickname",
  "picture",
  "groups",
  "enabled",
  "createdAt",
  "updatedAt",
  "syncedAt",
] as const satisfies ReadonlyArray<keyof UserProfile>;

export class DynamoUserStore implements UserStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(userId: string): Promise<UserProfile | undefined> {
    const { Item } = await this.call("read", () =>
      this.client.send(
        new GetCommand({
          TableName: this.tableName,
          Key: { id: userId },
          ConsistentRead: true,
        }),
      ),
    );

    return toProfile(Item);
  }

  async getMany(userIds: readonly string[]): Promise<UserProfile[]> {
    const profiles: UserProfile[] = [];
    const unique = [...new Set(userIds)];
    for (let start = 0; start < unique.length; start += BATCH_GET_LIMIT) {
      const chunk = unique.slice(start, start + BATCH_GET_LIMIT);
      for (const item of await this.batchGet(chunk)) {
        const profile = toProfile(item);
        if (profile) profiles.push(profile);
      }
    }

    return profiles;
  }

  async put(profile: UserProfile): Promise<PutResult> {
    const set: string[] = [];
    const remove: string[] = [];
    const values: Record<string, unknown> = {};
    for (const field of PROFILE_FIELDS) {
      const value = profile[field];
      if (value === undefined) {
        remove.push(`#${field}`);
      } else {
        set.push(`#${field} = :${field}`);
        values[`:${field}`] = value;
      }
    }
    const update = `SET ${set.join(", ")}${remove.length ? ` REMOVE ${remove.join(", ")}` : ""}`;

    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { id: profile.id },
          UpdateExpression: update,
          ConditionExpression: NEWER_SNAPSHOT_ONLY,
          ExpressionAttributeNames: Object.fromEntries(
            PROFILE_FIELDS.map((field) => [`#${field}`, field]),
          ),
          ExpressionAttributeValues: values,
        }),
      );

      return "written";
    } catch (error) {
      if (isAwsError(error, "ConditionalCheckFailedException")) return "stale";
      throw new UserStoreError("could not write to the users table", {
        cause: error,
      });
    }
  }

  async delete(userId: string): Promise<void> {
    await this.call("write", () =>
      this.client.send(
        new DeleteCommand({ TableName: this.tableName, Key: { id: userId } }),
      ),
    );
  }

  async *listIds(): AsyncIterable<string> {
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.call("read", () =>
        this.client.send(
          new ScanCommand({
            TableName: this.tableName,
            ProjectionExpression: "id",
            ExclusiveStartKey: startKey,
          }),
        ),
      );
      for (const item of page.Items ?? []) yield String(item.id);
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }

  async claimSyncSlot(
    userId: string,
    now: Date,
    intervalSeconds: number,
  ): Promise<SyncSlot> {
    const nowMs = now.getTime();
    const intervalMs = intervalSeconds * 1000;
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { id: userId },
          UpdateExpression: "SET syncRequestedAt = :now",
          ConditionExpression:
            "attribute_not_exists(syncRequestedAt) OR syncRequestedAt <= :cutoff",
          ExpressionAttributeValues: {
            ":now": nowMs,
            ":cutoff": nowMs - intervalMs,
          },
        }),
      );

      return { granted: true };
    } catch (error) {
      if (!isAwsError(error, "ConditionalCheckFailedException")) {
        throw new UserStoreError("could not record the sync request", {
          cause: error,
        });
      }
    }

    // dynalite cannot return the failing item with the error, so read it.
    const { Item } = await this.call("read", () =>
      this.client.send(
        new GetCommand({
          TableName: this.tableName,
          Key: { id: userId },
          ConsistentRead: true,
          ProjectionExpression: "syncRequestedAt",
        }),
      ),
    );
    const last = Number(Item?.syncRequestedAt ?? nowMs);
    const waitMs = Math.max(last + intervalMs - nowMs, 1000);

    return { granted: false, retryAfterSeconds: Math.ceil(waitMs / 1000) };
  }

  private async batchGet(ids: string[]): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let keys: Record<string, unknown>[] = ids.map((id) => ({ id }));
    for (let attempt = 1; keys.length > 0; attempt++) {
      if (attempt > MAX_BATCH_ATTEMPTS) {
        throw new UserStoreError(
          `users table left ${keys.length} keys unprocessed after ${MAX_BATCH_ATTEMPTS} attempts`,
        );
      }
      if (attempt > 1) await sleep(50 * 2 ** attempt);
      const result = await this.call("read", () =>
        this.client.send(
          new BatchGetCommand({
            RequestItems: {
              [this.tableName]: { Keys: keys, ConsistentRead: true },
            },
          }),
        ),
      );
      items.push(...(result.Responses?.[this.tableName] ?? []));
      keys = (result.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as Record<
        string,
        unknown
      >[];
    }

    return items;
  }

  private async call<T>(
    kind: "read" | "write",
    operation: () => Promise<T>,
  ): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      throw new UserStoreError(
        `could not ${kind} the users table ${this.tableName}`,
        { cause: error },
      );
    }
  }
}

/** The profile in a stored item; undefined for a rate-limit placeholder. */
function toProfile(
  item: Record<string, unknown> | undefined,
): UserProfile | undefined {
  if (!item || typeof item.syncedAt !== "string") return undefined;

  return {
    id: String(item.id),
    name: item.name as string | undefined,
    nickname: item.nickname as string | undefined,
    picture: item.picture as string | undefined,
    groups: Array.isArray(item.groups) ? (item.groups as string[]) : [],
    enabled: item.enabled !== false,
    createdAt: String(item.createdAt),
    updatedAt: String(item.updatedAt),
    syncedAt: item.syncedAt,
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
