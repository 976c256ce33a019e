/**
 * Shared setup for the avatar tests: a real s3rver with an avatars bucket,
 * an S3 client configured as in production, and a DirectoryUser factory.
 */
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { s3Options } from "../../src/aws/clients.ts";
import {
  type S3rverEngine,
  startS3rver,
} from "../../src/local/engines/s3rver.ts";
import type { DirectoryUser } from "../../src/users/profile.ts";

export const AVATARS_BUCKET = "avatars";

export interface AvatarBucket {
  readonly engine: S3rverEngine;
  readonly s3: S3Client;
  readonly bucket: string;
  stop(): Promise<void>;
}

/** Starts s3rver in a temp folder with an empty avatars bucket. */
export async function startAvatarBucket(): Promise<AvatarBucket> {
  const directory = await mkdtemp(join(tmpdir(), "avatars-s3rver-"));
  const engine = await startS3rver({ directory, buckets: [AVATARS_BUCKET] });
  const s3 = new S3Client(s3Options("us-east-1", engine.endpoint));

  return {
    engine,
    s3,
    bucket: AVATARS_BUCKET,
    async stop() {
      s3.destroy();
      await engine.stop();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

export interface StoredObject {
  readonly bytes: Uint8Array;
  readonly contentType: string | undefined;
  readonly cacheControl: string | undefined;
}

/** Reads an object back with the metadata browsers and the CDN will see. */
export async function readObject(
  bucket: AvatarBucket,
  key: string,
): Promise<StoredObject> {
  const object = await bucket.s3.send(
    new GetObjectCommand({ Bucket: bucket.bucket, Key: key }),
  );

  return {
    bytes: await (object.Body?.transformToByteArray() ?? new Uint8Array()),
    contentType: object.ContentType,
    cacheControl: object.CacheControl,
  };
}

let counter = 0;

/** A Cognito user; `attributes` are merged over a sub and an email. */
export function directoryUser(
  attributes: Record<string, string> = {},
): DirectoryUser {
  counter += 1;
  const id = randomUUID();

  return {
    id,
    username: id,
    attributes: { sub: id, email: `user${counter}@example.com`, ...attributes },
    groups: [],
    enabled: true,
    createdAt: "2026-01-01T00:00:00.000Z",
    updatedAt: "2026-01-02T00:00:00.000Z",
  };
}

/** The same user with `changes` applied to its attributes. */
export function withAttributes(
  user: DirectoryUser,
  changes: Record<string, string | undefined>,
): DirectoryUser {
  const attributes: Record<string, string> = { ...user.attributes };
  for (const [name, value] of Object.entries(changes)) {
    if (value === undefined) delete attributes[name];
    else attributes[name] = value;
  }

  return { ...user, attributes };
}
