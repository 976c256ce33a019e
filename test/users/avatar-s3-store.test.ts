import { S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { s3Options } from "../../src/aws/clients.ts";
import {
  AVATAR_CACHE_CONTROL,
  S3AvatarStore,
  SINGLE_DELETE_LIMIT,
} from "../../src/aws/s3-avatar-store.ts";
import type { S3rverObjectEvent } from "../../src/local/engines/s3rver.ts";
import { AvatarStoreError } from "../../src/users/errors.ts";
import type { AvatarImage } from "../../src/users/ports.ts";
import { imageBytes } from "../support/fake-gravatar.ts";
import {
  type AvatarBucket,
  readObject,
  startAvatarBucket,
} from "./avatar-fixtures.ts";

const PNG: AvatarImage = {
  bytes: new Uint8Array(imageBytes("png")),
  contentType: "image/png",
  extension: "png",
};

let bucket: AvatarBucket;
let store: S3AvatarStore;
const events: S3rverObjectEvent[] = [];
/** Names of the S3 commands sent, to see which delete path ran. */
const commands: string[] = [];

beforeAll(async () => {
  bucket = await startAvatarBucket();
  bucket.engine.onObjectEvent((event) => events.push(event));
  bucket.s3.middlewareStack.add(
    (next, context) => (args) => {
      commands.push(String(context.commandName));
      return next(args);
    },
    { step: "initialize" },
  );
  store = new S3AvatarStore({
    client: bucket.s3,
    bucket: bucket.bucket,
    listPageSize: 5,
    deleteBatchSize: 7,
  });
});

afterAll(async () => {
  await bucket.stop();
});

async function putMany(userId: string, count: number): Promise<string[]> {
  const keys = Array.from(
    { length: count },
    (_, index) => `${userId}/${String(index).padStart(4, "0")}.png`,
  );
  for (const key of keys) await store.put(key, PNG);

  return keys;
}

describe("S3 avatar store", () => {
  it("stores the bytes with their content type and an immutable cache policy", async () => {
    await store.put("u-put/abc.png", PNG);

    const stored = await readObject(bucket, "u-put/abc.png");

    expect(stored.bytes).toEqual(PNG.bytes);
    expect(stored.contentType).toBe("image/png");
    expect(stored.cacheControl).toBe(AVATAR_CACHE_CONTROL);
    expect(AVATAR_CACHE_CONTROL).toBe("public, max-age=31536000, immutable");
  });

  it("lists every key of one user across pages, and no other user's", async () => {
    const keys = await putMany("u-list", 12);
    await putMany("u-list-other", 2);

    const listed = await store.list("u-list");

    expect(listed.sort()).toEqual(keys);
  });

  it("deletes a few keys one by one, which s3rver reports as removals", async () => {
    const keys = await putMany("u-few", 2);
    events.length = 0;
    commands.length = 0;

    await store.delete(keys);

    expect(commands).toEqual(["DeleteObjectCommand", "DeleteObjectCommand"]);
    expect(await store.list("u-few")).toEqual([]);
    const removed = events.filter((e) =>
      e.eventName.startsWith("ObjectRemoved"),
    );
    expect(removed.map((e) => e.key).sort()).toEqual(keys);
  });

  it("deletes many keys in DeleteObjects batches", async () => {
    const keys = await putMany("u-many", SINGLE_DELETE_LIMIT + 9);
    commands.length = 0;

    await store.delete(keys);

    // 19 keys in batches of 7.
    expect(commands).toEqual(Array(3).fill("DeleteObjectsCommand"));
    expect(await store.list("u-many")).toEqual([]);
  });

  it("does nothing for an empty list of keys", async () => {
    await expect(store.delete([])).resolves.toBeUndefined();
  });

  it("reports a missing bucket as an AvatarStoreError naming the operation", async () => {
    const missing = new S3AvatarStore({
      client: bucket.s3,
      bucket: "no-such-bucket",
    });

    const failure = await missing.put("u/x.png", PNG).catch((e) => e);

    expect(failure).toBeInstanceOf(AvatarStoreError);
    expect(failure.operation).toBe("put");
    expect(failure.message).toContain("no-such-bucket");
    expect(failure.cause).toBeDefined();
    await expect(missing.list("u")).rejects.toMatchObject({
      name: "AvatarStoreError",
      operation: "list",
    });
  });

  it("reports an unreachable endpoint as an AvatarStoreError", async () => {
    const offline = new S3Client({
      ...s3Options("us-east-1", "http://127.0.0.1:9"),
      maxAttempts: 1,
    });
    const unreachable = new S3AvatarStore({ client: offline, bucket: "b" });

    await expect(unreachable.delete(["u/a.png"])).rejects.toMatchObject({
      name: "AvatarStoreError",
      operation: "delete",
    });
    offline.destroy();
  });
});
