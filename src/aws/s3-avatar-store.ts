/**
 * The avatars bucket in S3. Keys are content-addressed
 * (`<userId>/<sha256>.<ext>`), so an object never changes once written and
 * may be cached for a year by browsers and the CDN.
 */
import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  PutObjectCommand,
  paginateListObjectsV2,
  type S3Client,
} from "@aws-sdk/client-s3";
import { AvatarStoreError } from "../users/errors.ts";
import type { AvatarImage, AvatarStore } from "../users/ports.ts";

export const AVATAR_CACHE_CONTROL = "public, max-age=31536000, immutable";

/** S3 API reference: DeleteObjects takes at most 1,000 keys per request. */
export const MAX_DELETE_BATCH = 1000;

/** S3 API reference: ListObjectsV2 returns at most 1,000 keys per page. */
export const MAX_LIST_PAGE = 1000;

/**
 * Up to this many keys are deleted one DeleteObject each. A user holds one
 * or two avatars, so this is the usual path: it costs a request or two and,
 * unlike DeleteObjects, makes s3rver emit removal events, so the local CDN
 * mirror sees the deletion as the real one does with S3 notifications.
 */
export const SINGLE_DELETE_LIMIT = 10;

export interface S3AvatarStoreOptions {
  readonly client: S3Client;
  readonly bucket: string;
  /** Keys per list page; tests lower it to exercise paging. */
  readonly listPageSize?: number;
  /** Keys per DeleteObjects request; tests lower it to exercise batching. */
  readonly deleteBatchSize?: number;
}

/** An AvatarStore on one S3 (or s3rver) bucket. */
export class S3AvatarStore implements AvatarStore {
  readonly #client: S3Client;
  readonly #bucket: string;
  readonly #listPageSize: number;
  readonly #deleteBatchSize: number;

  constructor(options: S3AvatarStoreOptions) {
    this.#client = options.client;
    this.#bucket = options.bucket;
    this.#listPageSize = clamp(options.listPageSize, MAX_LIST_PAGE);
    this.#deleteBatchSize = clamp(options.deleteBatchSize, MAX_DELETE_BATCH);
  }

  async put(key: string, image: AvatarImage): Promise<void> {
    const command = new PutObjectCommand({
      Bucket: this.#bucket,
      Key: key,
      Body: image.bytes,
      ContentLength: image.bytes.byteLength,
      ContentType: image.contentType,
      CacheControl: AVATAR_CACHE_CONTROL,
    });
    await this.#send("put", `writing ${key}`, () => this.#client.send(command));
  }

  async list(userId: string): Promise<string[]> {
    const pages = paginateListObjectsV2(
      { client: this.#client, pageSize: this.#listPageSize },
      { Bucket: this.#bucket, Prefix: `${userId}/` },
    );

    return this.#send("list", `listing ${userId}/`, async () => {
      const keys: string[] = [];
      for await (const page of pages) {
        for (const object of page.Contents ?? []) {
          if (object.Key) keys.push(object.Key);
        }
      }

      return keys;
    });
  }

  async delete(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    if (keys.length <= SINGLE_DELETE_LIMIT) {
      for (const key of keys) await this.#deleteOne(key);
      return;
    }

    for (let start = 0; start < keys.length; start += this.#deleteBatchSize) {
      await this.#deleteBatch(keys.slice(start, start + this.#deleteBatchSize));
    }
  }

  async #deleteOne(key: string): Promise<void> {
    const command = new DeleteObjectCommand({ Bucket: this.#bucket, Key: key });
    await this.#send("delete", `deleting ${key}`, () =>
      this.#client.send(command),
    );
  }

  async #deleteBatch(keys: readonly string[]): Promise<void> {
    const command = new DeleteObjectsCommand({
      Bucket: this.#bucket,
      Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true },
    });
    const result = await this.#send(
      "delete",
      `deleting ${keys.length} keys`,
      () => this.#client.send(command),
    );

    // DeleteObjects answers 200 even when some keys failed.
    const failed = result.Errors ?? [];
    if (failed.length > 0) {
      const first = failed[0];
      throw new AvatarStoreError(
        `S3 bucket ${this.#bucket}: ${failed.length} of ${keys.length} keys ` +
          `were not deleted (first: ${first?.Key}, ${first?.Code})`,
        "delete",
      );
    }
  }

  /** Runs one SDK call and turns any failure into an AvatarStoreError. */
  async #send<T>(
    operation: AvatarStoreError["operation"],
    what: string,
    call: () => Promise<T>,
  ): Promise<T> {
    try {
      return await call();
    } catch (error) {
      const name = error instanceof Error ? error.name : String(error);
      throw new AvatarStoreError(
        `S3 bucket ${this.#bucket}: ${what} failed (${name})`,
        operation,
        { cause: error },
      );
    }
  }
}

function clamp(value: number | undefined, max: number): number {
  if (value === undefined) return max;

  return Math.min(Math.max(1, Math.floor(value)), max);
}
