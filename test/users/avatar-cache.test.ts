import { createHash } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { S3AvatarStore } from "../../src/aws/s3-avatar-store.ts";
import { GravatarClient } from "../../src/gravatar/gravatar-client.ts";
import { AvatarCache, isOurs } from "../../src/users/avatar-cache.ts";
import { AvatarStoreError } from "../../src/users/errors.ts";
import type { AvatarImage, AvatarStore } from "../../src/users/ports.ts";
import {
  type DirectoryUser,
  GRAVATAR_ATTRIBUTE,
} from "../../src/users/profile.ts";
import {
  type FakeAnswer,
  type FakeGravatar,
  imageBytes,
  startFakeGravatar,
} from "../support/fake-gravatar.ts";
import {
  type AvatarBucket,
  directoryUser,
  readObject,
  startAvatarBucket,
  withAttributes,
} from "./avatar-fixtures.ts";

const CDN = "https://cdn.example.com";
const ELSEWHERE = "https://images.example.org/me.jpg";

let bucket: AvatarBucket;
let gravatar: FakeGravatar;
let store: S3AvatarStore;
let cache: AvatarCache;
/** Keys written through the store, to see when a put was skipped. */
const puts: string[] = [];

beforeAll(async () => {
  bucket = await startAvatarBucket();
  gravatar = await startFakeGravatar();
  store = new S3AvatarStore({ client: bucket.s3, bucket: bucket.bucket });
  const recording: AvatarStore = {
    put: (key, image) => {
      puts.push(key);
      return store.put(key, image);
    },
    list: (userId) => store.list(userId),
    delete: (keys) => store.delete(keys),
  };
  cache = new AvatarCache({
    store: recording,
    gravatar: new GravatarClient({
      baseUrl: gravatar.baseUrl,
      size: 200,
      timeoutMs: 1_000,
    }),
    cdnBaseUrl: `${CDN}/`,
  });
});

afterAll(async () => {
  await gravatar.stop();
  await bucket.stop();
});

beforeEach(() => {
  gravatar.reset();
  puts.length = 0;
});

function sha256(bytes: Uint8Array | string): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** A user who opted in; Gravatar answers `answer` for their email. */
function optedIn(answer?: FakeAnswer, attributes = {}): DirectoryUser {
  const user = directoryUser({ [GRAVATAR_ATTRIBUTE]: "true", ...attributes });
  if (answer) gravatarAnswers(user, answer);

  return user;
}

function gravatarAnswers(user: DirectoryUser, answer: FakeAnswer): void {
  const email = user.attributes.email ?? "";
  gravatar.answer(sha256(email.trim().toLowerCase()), answer);
}

/** Syncs `user` once with a PNG on Gravatar and returns the cached URL. */
async function withCachedAvatar(): Promise<[DirectoryUser, string]> {
  const user = optedIn({ kind: "image", format: "png" });
  const { picture } = await cache.resolve(user);
  if (!picture) throw new Error("setup: no avatar was cached");

  return [withAttributes(user, { picture }), picture];
}

describe("avatar cache", () => {
  it("stores an opted-in user's Gravatar and returns its CDN URL", async () => {
    const user = optedIn({ kind: "image", format: "png" });

    const { picture } = await cache.resolve(user);

    const key = `${user.id}/${sha256(imageBytes("png"))}.png`;
    expect(picture).toBe(`${CDN}/avatars/${key}`);
    expect(await store.list(user.id)).toEqual([key]);
    const stored = await readObject(bucket, key);
    expect(stored.bytes).toEqual(new Uint8Array(imageBytes("png")));
    expect(stored.contentType).toBe("image/png");
    expect(stored.cacheControl).toBe("public, max-age=31536000, immutable");
  });

  it("stores a JPEG under a .jpg key with image/jpeg", async () => {
    const user = optedIn({ kind: "image", format: "jpeg" });

    const { picture } = await cache.resolve(user);

    expect(picture).toMatch(/\/[0-9a-f]{64}\.jpg$/);
    const [key] = await store.list(user.id);
    expect((await readObject(bucket, key ?? "")).contentType).toBe(
      "image/jpeg",
    );
  });

  it("does not upload an unchanged Gravatar again", async () => {
    const [user, picture] = await withCachedAvatar();
    puts.length = 0;

    expect((await cache.resolve(user)).picture).toBe(picture);
    expect(puts).toEqual([]);
    expect(await store.list(user.id)).toHaveLength(1);
  });

  it("gives a changed Gravatar a new key and deletes the old object", async () => {
    const [user, oldPicture] = await withCachedAvatar();
    gravatarAnswers(user, { kind: "image", format: "png", variant: 2 });

    const { picture } = await cache.resolve(user);

    const key = `${user.id}/${sha256(imageBytes("png", 2))}.png`;
    expect(picture).toBe(`${CDN}/avatars/${key}`);
    expect(picture).not.toBe(oldPicture);
    expect(await store.list(user.id)).toEqual([key]);
  });

  it("clears our picture and deletes the avatar when Gravatar says 404", async () => {
    const [user] = await withCachedAvatar();
    gravatar.reset();

    expect((await cache.resolve(user)).picture).toBeUndefined();
    expect(await store.list(user.id)).toEqual([]);
  });

  it("clears our picture and deletes the avatar when the user opts out", async () => {
    const [user] = await withCachedAvatar();
    const optedOut = withAttributes(user, { [GRAVATAR_ATTRIBUTE]: "false" });

    expect((await cache.resolve(optedOut)).picture).toBeUndefined();
    expect(await store.list(user.id)).toEqual([]);
    expect(gravatar.requests).toHaveLength(1);
  });

  it("treats an opted-in user without an email as opted out", async () => {
    const [user] = await withCachedAvatar();
    const noEmail = withAttributes(user, { email: undefined });

    expect((await cache.resolve(noEmail)).picture).toBeUndefined();
    expect(await store.list(user.id)).toEqual([]);
  });

  it("leaves a picture set elsewhere alone on a 404", async () => {
    const user = optedIn(undefined, { picture: ELSEWHERE });

    expect((await cache.resolve(user)).picture).toBe(ELSEWHERE);
  });

  it("leaves a picture set elsewhere alone on opt-out, but drops our copy", async () => {
    const [user, picture] = await withCachedAvatar();
    const movedOn = withAttributes(user, {
      [GRAVATAR_ATTRIBUTE]: undefined,
      picture: ELSEWHERE,
    });

    expect((await cache.resolve(movedOn, picture)).picture).toBe(ELSEWHERE);
    expect(await store.list(user.id)).toEqual([]);
  });

  it("does not list the bucket for an opted-out user who never had our avatar", async () => {
    const lists: string[] = [];
    const counting = new AvatarCache({
      store: {
        put: (key, image) => store.put(key, image),
        list: (userId) => {
          lists.push(userId);
          return store.list(userId);
        },
        delete: (keys) => store.delete(keys),
      },
      gravatar: new GravatarClient({
        baseUrl: gravatar.baseUrl,
        size: 200,
        timeoutMs: 1_000,
      }),
      cdnBaseUrl: CDN,
    });
    const user = withAttributes(optedIn(), {
      [GRAVATAR_ATTRIBUTE]: undefined,
      picture: ELSEWHERE,
    });

    expect((await counting.resolve(user, ELSEWHERE)).picture).toBe(ELSEWHERE);
    expect(lists).toEqual([]);
    expect(gravatar.requests).toEqual([]);
  });

  it.each<[string, FakeAnswer, RegExp]>([
    ["a non-image", { kind: "html" }, /not a PNG, JPEG, GIF or WebP/],
    [
      "an oversized body",
      { kind: "oversized", bytes: 2 * 1024 * 1024 },
      /larger than 1048576 bytes/,
    ],
    [
      "a timeout",
      { kind: "slow", delayMs: 5_000, phase: "headers" },
      /did not answer within 1000 ms/,
    ],
    ["a 5xx", { kind: "status", status: 503 }, /HTTP 503/],
  ])(
    "keeps the cached avatar and picture on %s, and says why",
    async (_, answer, why) => {
      const [user, picture] = await withCachedAvatar();
      const keys = await store.list(user.id);
      gravatarAnswers(user, answer);
      const email = user.attributes.email ?? "";

      const resolution = await cache.resolve(user);

      expect(resolution.picture).toBe(picture);
      expect(resolution.gravatarUnavailable).toMatch(why);
      expect(resolution.gravatarUnavailable).not.toContain(email);
      expect(resolution.gravatarUnavailable).not.toContain(
        sha256(email.trim().toLowerCase()),
      );
      expect(await store.list(user.id)).toEqual(keys);
    },
  );

  it("keeps a picture set elsewhere when Gravatar is unavailable", async () => {
    const user = optedIn(
      { kind: "status", status: 500 },
      { picture: ELSEWHERE },
    );

    expect((await cache.resolve(user)).picture).toBe(ELSEWHERE);
    expect(await store.list(user.id)).toEqual([]);
  });

  it("hashes an email with spaces and capitals as trimmed lower case", async () => {
    const user = optedIn(undefined, { email: "  Mixed.Case@Example.COM " });
    gravatar.answer(sha256("mixed.case@example.com"), {
      kind: "image",
      format: "gif",
    });

    expect((await cache.resolve(user)).picture).toMatch(/\.gif$/);
    expect(gravatar.requests[0]?.path).toBe(
      `/avatar/${sha256("mixed.case@example.com")}`,
    );
  });

  it("forgets every avatar of a deleted user", async () => {
    const [user] = await withCachedAvatar();
    await store.put(`${user.id}/stray.webp`, webp());

    await cache.forget(user.id);

    expect(await store.list(user.id)).toEqual([]);
  });

  it("fails, so the sync retries, when the bucket cannot be written", async () => {
    const broken = new AvatarCache({
      store: new S3AvatarStore({ client: bucket.s3, bucket: "missing" }),
      gravatar: { lookup: async () => ({ kind: "found", image: webp() }) },
      cdnBaseUrl: CDN,
    });

    await expect(broken.resolve(optedIn())).rejects.toBeInstanceOf(
      AvatarStoreError,
    );
  });
});

describe("isOurs", () => {
  it.each([
    [`${CDN}/avatars/u/abc.png`, true],
    [`${CDN}/other/u/abc.png`, false],
    [`${CDN}/avatarsX/u/abc.png`, false],
    ["https://cdn.example.com.evil.test/avatars/u/abc.png", false],
    [ELSEWHERE, false],
    [undefined, false],
  ])("says %s is ours: %s", (url, expected) => {
    expect(isOurs(url, `${CDN}/`)).toBe(expected);
  });
});

function webp(): AvatarImage {
  return {
    bytes: new Uint8Array(imageBytes("webp")),
    contentType: "image/webp",
    extension: "webp",
  };
}
