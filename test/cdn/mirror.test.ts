import { createHash, randomBytes } from "node:crypto";
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type PutObjectCommandInput,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { s3SourceBuckets } from "../../src/aws/cdn-source.ts";
import { CdnKeyRefusedError } from "../../src/cdn/errors.ts";
import { type MirrorDeps, mirrorObject } from "../../src/cdn/mirror.ts";
import { SOURCE_ETAG_METADATA } from "../../src/cdn/types.ts";
import { createR2Client } from "../../src/cloudflare/r2-client.ts";
import { r2MirrorStore } from "../../src/cloudflare/r2-store.ts";
import {
  type CdnEngines,
  R2_BUCKET,
  startCdnEngines,
} from "../support/cdn-engines.ts";

const BUCKET = "anime-assets";
const ENTRY = { dir: "anime", bucket: BUCKET, parameter: "/cdn-bucket/anime" };
const R2_KEYS = { r2AccessKeyId: "S3RVER", r2SecretAccessKey: "S3RVER" };

let engines: CdnEngines;
let deps: MirrorDeps;

beforeAll(async () => {
  engines = await startCdnEngines([BUCKET]);
  const r2Client = createR2Client(
    { accountId: "local", r2AccessToken: "t", ...R2_KEYS },
    engines.r2Proxy.endpoint,
  );
  deps = {
    source: s3SourceBuckets(engines.sourceClient),
    r2: r2MirrorStore(r2Client, R2_BUCKET),
  };
});

afterAll(async () => {
  await engines?.stop();
});

async function putSource(
  key: string,
  body: string | Uint8Array,
  extra: Partial<PutObjectCommandInput> = {},
) {
  return engines.sourceClient.send(
    new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body, ...extra }),
  );
}

async function r2Object(key: string) {
  try {
    const output = await engines.r2Client.send(
      new GetObjectCommand({ Bucket: R2_BUCKET, Key: key }),
    );
    const bytes = await output.Body?.transformToByteArray();
    return { ...output, bytes: Buffer.from(bytes ?? []) };
  } catch (error) {
    if ((error as Error).name === "NoSuchKey") return undefined;
    throw error;
  }
}

const sha256 = (bytes: Uint8Array) =>
  createHash("sha256").update(bytes).digest("hex");

describe("mirrorObject", () => {
  it("copies a new object with its headers and user metadata", async () => {
    const put = await putSource("covers/one.txt", "first", {
      ContentType: "text/plain; charset=utf-8",
      CacheControl: "public, max-age=60",
      ContentDisposition: 'inline; filename="one.txt"',
      ContentEncoding: "identity",
      ContentLanguage: "ja",
      Metadata: { author: "mika", "series-id": "42" },
    });

    const result = await mirrorObject(deps, ENTRY, "covers/one.txt");

    expect(result).toMatchObject({ outcome: "copied", replaced: false });
    const copy = await r2Object("anime/covers/one.txt");
    expect(copy?.bytes.toString()).toBe("first");
    expect(copy).toMatchObject({
      ContentType: "text/plain; charset=utf-8",
      CacheControl: "public, max-age=60",
      ContentDisposition: 'inline; filename="one.txt"',
      ContentEncoding: "identity",
      ContentLanguage: "ja",
    });
    expect(copy?.Metadata).toEqual({
      author: "mika",
      "series-id": "42",
      [SOURCE_ETAG_METADATA]: put.ETag?.replaceAll('"', ""),
    });
  });

  it("does not copy again when R2 already holds the version", async () => {
    await putSource("dup.txt", "same");
    await mirrorObject(deps, ENTRY, "dup.txt");
    const puts = engines.r2Proxy.count("PUT");

    const again = await mirrorObject(deps, ENTRY, "dup.txt");

    expect(again.outcome).toBe("unchanged");
    expect(engines.r2Proxy.count("PUT")).toBe(puts);
  });

  it("copies again when only the headers changed", async () => {
    await putSource("headers.txt", "same", { CacheControl: "max-age=1" });
    await mirrorObject(deps, ENTRY, "headers.txt");
    await putSource("headers.txt", "same", { CacheControl: "max-age=2" });

    const result = await mirrorObject(deps, ENTRY, "headers.txt");

    expect(result).toMatchObject({ outcome: "copied", replaced: true });
    expect((await r2Object("anime/headers.txt"))?.CacheControl).toBe(
      "max-age=2",
    );
  });

  it("replaces an overwritten object and deletes a removed one", async () => {
    await putSource("life.txt", "v1");
    await mirrorObject(deps, ENTRY, "life.txt");
    await putSource("life.txt", "v2");

    expect((await mirrorObject(deps, ENTRY, "life.txt")).replaced).toBe(true);
    expect((await r2Object("anime/life.txt"))?.bytes.toString()).toBe("v2");

    await engines.sourceClient.send(
      new DeleteObjectCommand({ Bucket: BUCKET, Key: "life.txt" }),
    );
    expect((await mirrorObject(deps, ENTRY, "life.txt")).outcome).toBe(
      "deleted",
    );
    expect(await r2Object("anime/life.txt")).toBeUndefined();
    expect((await mirrorObject(deps, ENTRY, "life.txt")).outcome).toBe(
      "absent",
    );
  });

  it.each([
    "with space.txt",
    "c++ notes.txt",
    "100% off.txt",
    "東京/カバー é.txt",
    "deep/nested/path/to/file.txt",
    "odd (1) [2] {3} #4 ?5 &6 =7 ;8 ,9 @10 ~11.txt",
  ])("mirrors the key %j byte for byte", async (key) => {
    await putSource(key, `body of ${key}`);

    expect((await mirrorObject(deps, ENTRY, key)).outcome).toBe("copied");
    expect((await r2Object(`anime/${key}`))?.bytes.toString()).toBe(
      `body of ${key}`,
    );
  });

  it("copies an empty object", async () => {
    await putSource("empty.txt", "");

    expect((await mirrorObject(deps, ENTRY, "empty.txt")).outcome).toBe(
      "copied",
    );
    expect((await r2Object("anime/empty.txt"))?.bytes.length).toBe(0);
    expect((await mirrorObject(deps, ENTRY, "empty.txt")).outcome).toBe(
      "unchanged",
    );
  });

  it("copies a 30 MB object intact, in parts", async () => {
    const bytes = randomBytes(30 * 1024 * 1024);
    await putSource("big.bin", bytes, { ContentType: "application/x-test" });
    const before = engines.r2Proxy.count("PUT", `/${R2_BUCKET}/anime/big.bin`);

    const result = await mirrorObject(deps, ENTRY, "big.bin");

    expect(result).toMatchObject({ outcome: "copied", size: bytes.length });
    const copy = await r2Object("anime/big.bin");
    expect(copy?.bytes.length).toBe(bytes.length);
    expect(sha256(copy?.bytes ?? Buffer.alloc(0))).toBe(sha256(bytes));
    expect(copy?.ContentType).toBe("application/x-test");
    // Multipart: one PUT per 8 MiB part.
    const parts =
      engines.r2Proxy.count("PUT", `/${R2_BUCKET}/anime/big.bin`) - before;
    expect(parts).toBe(4);
  }, 60_000);

  it("records the ETag of the bytes read when the object changes mid-copy", async () => {
    await putSource("race.txt", "old");
    const racing: MirrorDeps = {
      ...deps,
      source: {
        head: deps.source.head,
        async open(bucket, key) {
          await putSource(key, "new");
          return deps.source.open(bucket, key);
        },
      },
    };

    await mirrorObject(racing, ENTRY, "race.txt");

    const head = await engines.sourceClient.send(
      new HeadObjectCommand({ Bucket: BUCKET, Key: "race.txt" }),
    );
    const copy = await r2Object("anime/race.txt");
    expect(copy?.bytes.toString()).toBe("new");
    expect(copy?.Metadata?.[SOURCE_ETAG_METADATA]).toBe(
      head.ETag?.replaceAll('"', ""),
    );
  });

  it("redoes the copy when the source is deleted while it streams", async () => {
    await putSource("vanish.txt", "here");
    let deleted = false;
    const vanishing: MirrorDeps = {
      ...deps,
      r2: {
        ...deps.r2,
        async put(key, object, metadata) {
          await deps.r2.put(key, object, metadata);
          if (deleted) return;
          deleted = true;
          await engines.sourceClient.send(
            new DeleteObjectCommand({ Bucket: BUCKET, Key: "vanish.txt" }),
          );
        },
      },
    };

    const result = await mirrorObject(vanishing, ENTRY, "vanish.txt");

    expect(result.outcome).toBe("deleted");
    expect(await r2Object("anime/vanish.txt")).toBeUndefined();
  });

  it("refuses keys R2 cannot hold without touching either side", async () => {
    const requests = engines.r2Proxy.requests.length;

    await expect(mirrorObject(deps, ENTRY, "a//b.txt")).rejects.toBeInstanceOf(
      CdnKeyRefusedError,
    );
    await expect(
      mirrorObject(deps, ENTRY, "x".repeat(1100)),
    ).rejects.toBeInstanceOf(CdnKeyRefusedError);
    expect(engines.r2Proxy.requests.length).toBe(requests);
  });
});
