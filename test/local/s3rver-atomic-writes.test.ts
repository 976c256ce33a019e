import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { s3Options } from "../../src/aws/clients.ts";
import {
  type S3rverEngine,
  startS3rver,
} from "../../src/local/engines/s3rver.ts";

const BUCKET = "atomic";
let directory: string;
let engine: S3rverEngine;
let s3: S3Client;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), "core-s3rver-"));
  engine = await startS3rver({ directory, buckets: [BUCKET] });
  s3 = new S3Client(s3Options("us-east-1", engine.endpoint));
});

afterAll(async () => {
  s3?.destroy();
  await engine?.stop();
  await rm(directory, { recursive: true, force: true });
});

/** A body that arrives in `chunks` pieces over about `ms` milliseconds. */
function slowBody(bytes: Buffer, chunks: number, ms: number): Readable {
  const size = Math.ceil(bytes.length / chunks);

  return Readable.from(
    (async function* trickle() {
      for (let offset = 0; offset < bytes.length; offset += size) {
        await sleep(ms / chunks);
        yield bytes.subarray(offset, offset + size);
      }
    })(),
  );
}

/** What a reader sees at `key`: "absent", or the bytes and their type. */
async function read(key: string) {
  try {
    const object = await s3.send(
      new GetObjectCommand({ Bucket: BUCKET, Key: key }),
    );
    const bytes = Buffer.from(
      (await object.Body?.transformToByteArray()) ?? [],
    );

    return { bytes, type: object.ContentType };
  } catch (error) {
    if ((error as Error).name === "NoSuchKey") return "absent" as const;
    throw error;
  }
}

/** Reads `key` over and over until `done` settles; returns every sighting. */
async function watch(key: string, done: Promise<unknown>) {
  const seen: Awaited<ReturnType<typeof read>>[] = [];
  let finished = false;
  const finish = () => {
    finished = true;
  };
  done.then(finish, finish);
  while (!finished) seen.push(await read(key));
  await done;

  return seen;
}

describe("s3rver's object writes, as the local core runs it", () => {
  it("show a new object only once it is whole, with its Content-Type", async () => {
    const body = Buffer.alloc(256 * 1024, 7);
    const upload = s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: "new/poster.png",
        Body: slowBody(body, 16, 400),
        ContentLength: body.length,
        ContentType: "image/png",
      }),
    );

    const seen = await watch("new/poster.png", upload);

    expect(seen.length).toBeGreaterThan(3);
    for (const sighting of seen) {
      if (sighting === "absent") continue;
      expect(sighting.type).toBe("image/png");
      expect(sighting.bytes.equals(body)).toBe(true);
    }
    expect(await read("new/poster.png")).toEqual({
      bytes: body,
      type: "image/png",
    });
  });

  it("show no half-written body while an overwrite streams in", async () => {
    const before = Buffer.alloc(128 * 1024, 1);
    const after = Buffer.alloc(256 * 1024, 2);
    await s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: "cover.webp",
        Body: before,
        ContentType: "image/webp",
      }),
    );
    const overwrite = s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: "cover.webp",
        Body: slowBody(after, 16, 400),
        ContentLength: after.length,
        ContentType: "image/webp",
      }),
    );

    const seen = await watch("cover.webp", overwrite);

    // s3rver reads an object's length, then opens it by name: a read that
    // straddles the rename gets the whole new file cut at the old length.
    // Anything else would be a body still being written.
    const straddling = after.subarray(0, before.length);
    for (const sighting of seen) {
      expect(sighting).not.toBe("absent");
      if (sighting === "absent") continue;
      const whole = [before, after, straddling].some((bytes) =>
        sighting.bytes.equals(bytes),
      );
      expect(whole).toBe(true);
      expect(sighting.type).toBe("image/webp");
    }
    const { ETag, ContentLength } = await s3.send(
      new HeadObjectCommand({ Bucket: BUCKET, Key: "cover.webp" }),
    );
    expect(ContentLength).toBe(after.length);
    expect(ETag).toMatch(/^"[0-9a-f]{32}"$/);
  });

  it("keep headers, user metadata and multipart uploads, and leave no temporary files", async () => {
    const body = Buffer.alloc(6 * 1024 * 1024, 3);
    await new Upload({
      client: s3,
      partSize: 5 * 1024 * 1024,
      params: {
        Bucket: BUCKET,
        Key: "big/trailer.bin",
        Body: body,
        ContentType: "video/mp4",
        CacheControl: "public, max-age=60",
        Metadata: { origin: "test" },
      },
    }).done();

    const head = await s3.send(
      new HeadObjectCommand({ Bucket: BUCKET, Key: "big/trailer.bin" }),
    );
    const { Contents = [] } = await s3.send(
      new ListObjectsV2Command({ Bucket: BUCKET }),
    );

    expect(head).toMatchObject({
      ContentType: "video/mp4",
      CacheControl: "public, max-age=60",
      ContentLength: body.length,
      Metadata: { origin: "test" },
    });
    // Listed alone or beside the other tests' keys; no temporary file is.
    const keys = Contents.map((o) => o.Key ?? "");
    expect(keys).toContain("big/trailer.bin");
    expect(keys.filter((key) => key.endsWith(".part"))).toEqual([]);
    const files = await readdir(join(directory, BUCKET), { recursive: true });
    expect(files.filter((name) => name.endsWith(".part"))).toEqual([]);
  });
});
