import { createHash } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  GravatarClient,
  MAX_AVATAR_BYTES,
} from "../../src/gravatar/gravatar-client.ts";
import type { GravatarLookup } from "../../src/users/ports.ts";
import {
  type FakeGravatar,
  imageBytes,
  startFakeGravatar,
} from "../support/fake-gravatar.ts";

const EMAIL = "alice@example.com";
/** Computed here, not with the client's helper, so the test checks it. */
const HASH = createHash("sha256").update(EMAIL).digest("hex");
// Generous for a busy two-core machine, far below the fake's 5 s stall.
const TIMEOUT_MS = 1_000;

let gravatar: FakeGravatar;
let client: GravatarClient;

beforeAll(async () => {
  gravatar = await startFakeGravatar();
  client = new GravatarClient({
    baseUrl: `${gravatar.baseUrl}/`,
    size: 200,
    timeoutMs: TIMEOUT_MS,
  });
});

afterAll(async () => {
  await gravatar.stop();
});

beforeEach(() => {
  gravatar.reset();
});

function reasonOf(lookup: GravatarLookup): string {
  if (lookup.kind !== "unavailable") {
    throw new Error(`expected unavailable, got ${lookup.kind}`);
  }

  return lookup.reason;
}

describe("Gravatar client", () => {
  it("asks for the sha256 of the trimmed lower-case email with s and d=404", async () => {
    gravatar.answer(HASH, { kind: "image", format: "png" });

    const lookup = await client.lookup("  Alice@Example.COM \n");

    expect(lookup.kind).toBe("found");
    expect(gravatar.requests).toHaveLength(1);
    const [request] = gravatar.requests;
    expect(request?.path).toBe(`/avatar/${HASH}`);
    expect(request?.query.get("s")).toBe("200");
    expect(request?.query.get("d")).toBe("404");
  });

  it.each([
    ["png", "image/png", "png"],
    ["jpeg", "image/jpeg", "jpg"],
    ["gif", "image/gif", "gif"],
    ["webp", "image/webp", "webp"],
  ] as const)(
    "accepts a %s image detected from its bytes",
    async (format, contentType, extension) => {
      gravatar.answer(HASH, { kind: "image", format });

      const lookup = await client.lookup(EMAIL);

      expect(lookup).toEqual({
        kind: "found",
        image: {
          bytes: new Uint8Array(imageBytes(format)),
          contentType,
          extension,
        },
      });
    },
  );

  it("reports a 404 as no Gravatar", async () => {
    expect(await client.lookup(EMAIL)).toEqual({ kind: "absent" });
  });

  it.each([500, 503, 429, 403])(
    "reports HTTP %i as unavailable",
    async (status) => {
      gravatar.answer(HASH, { kind: "status", status });

      const reason = reasonOf(await client.lookup(EMAIL));

      expect(reason).toContain(String(status));
    },
  );

  it("refuses HTML served as image/png", async () => {
    gravatar.answer(HASH, { kind: "html" });

    const reason = reasonOf(await client.lookup(EMAIL));

    expect(reason).toMatch(/not a PNG, JPEG, GIF or WebP/);
  });

  it("refuses a body over 1 MiB", async () => {
    gravatar.answer(HASH, { kind: "oversized", bytes: 2 * 1024 * 1024 });

    const reason = reasonOf(await client.lookup(EMAIL));

    expect(reason).toMatch(/larger than 1048576 bytes/);
  });

  it("accepts a body of exactly 1 MiB", async () => {
    gravatar.answer(HASH, { kind: "oversized", bytes: MAX_AVATAR_BYTES });

    const lookup = await client.lookup(EMAIL);

    expect(lookup.kind).toBe("found");
  });

  it.each(["headers", "body"] as const)(
    "gives up when the response stalls in its %s",
    async (phase) => {
      gravatar.answer(HASH, { kind: "slow", delayMs: 5_000, phase });
      const started = Date.now();

      const reason = reasonOf(await client.lookup(EMAIL));

      expect(reason).toBe(`Gravatar did not answer within ${TIMEOUT_MS} ms`);
      expect(Date.now() - started).toBeLessThan(4_000);
    },
  );

  it("reports an unreachable server as unavailable", async () => {
    const closed = await startFakeGravatar();
    await closed.stop();
    const offline = new GravatarClient({
      baseUrl: closed.baseUrl,
      size: 80,
      timeoutMs: TIMEOUT_MS,
    });

    const reason = reasonOf(await offline.lookup(EMAIL));

    expect(reason).toBe("Gravatar could not be reached (ECONNREFUSED)");
  });

  it("never puts the email or its hash in a reason", async () => {
    const email = "Secret.Person@Example.com";
    const hash = createHash("sha256").update(email.toLowerCase()).digest("hex");
    const answers = [
      { kind: "status", status: 500 },
      { kind: "html" },
      { kind: "oversized", bytes: 2 * 1024 * 1024 },
      { kind: "slow", delayMs: 5_000, phase: "body" },
    ] as const;

    for (const answer of answers) {
      gravatar.answer(hash, answer);
      const reason = reasonOf(await client.lookup(email));

      expect(reason.toLowerCase()).not.toContain("secret.person");
      expect(reason).not.toContain(hash);
    }
  });

  it("stops reading an endless body soon after the limit", async () => {
    const chunk = new Uint8Array(64 * 1024);
    chunk.set(imageBytes("png").subarray(0, 8));
    let pulled = 0;
    let cancelled = false;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += chunk.byteLength;
        controller.enqueue(chunk);
      },
      cancel() {
        cancelled = true;
      },
    });
    const streaming = new GravatarClient({
      baseUrl: "http://gravatar.invalid",
      size: 200,
      timeoutMs: TIMEOUT_MS,
      fetch: async () => new Response(endless, { status: 200 }),
    });

    const reason = reasonOf(await streaming.lookup(EMAIL));

    expect(reason).toMatch(/larger than/);
    expect(cancelled).toBe(true);
    // The limit, the chunk that crossed it, and at most one read ahead.
    expect(pulled).toBeLessThanOrEqual(MAX_AVATAR_BYTES + 2 * chunk.byteLength);
  });

  it("refuses a declared Content-Length over the limit without reading", async () => {
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += 1;
        controller.enqueue(new Uint8Array(16));
      },
    });
    const declared = new GravatarClient({
      baseUrl: "http://gravatar.invalid",
      size: 200,
      timeoutMs: TIMEOUT_MS,
      fetch: async () =>
        new Response(body, {
          status: 200,
          headers: { "content-length": String(MAX_AVATAR_BYTES + 1) },
        }),
    });

    const reason = reasonOf(await declared.lookup(EMAIL));

    expect(reason).toMatch(/larger than/);
    expect(pulled).toBeLessThanOrEqual(1);
  });
});
