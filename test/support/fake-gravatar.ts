/**
 * A small HTTP server that plays Gravatar in tests. Each test says what to
 * answer for an email hash; unknown hashes get 404, as with `d=404`.
 */
import {
  createServer,
  type IncomingMessage,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

export type ImageFormat = "png" | "jpeg" | "gif" | "webp";

/** What the fake answers for one hash. */
export type FakeAnswer =
  /** A valid image; `variant` appends bytes so the content hash changes. */
  | { readonly kind: "image"; readonly format: ImageFormat; variant?: number }
  | { readonly kind: "status"; readonly status: number }
  /** A PNG whose headers or remaining body arrive after `delayMs`. */
  | {
      readonly kind: "slow";
      readonly delayMs: number;
      readonly phase: "headers" | "body";
    }
  /** A PNG padded to `bytes`, streamed in 64 KiB chunks, no length. */
  | { readonly kind: "oversized"; readonly bytes: number }
  /** HTML claiming to be a PNG, as a captive portal or error page might. */
  | { readonly kind: "html" };

export interface FakeGravatarRequest {
  readonly path: string;
  readonly query: URLSearchParams;
}

export interface FakeGravatar {
  readonly baseUrl: string;
  /** Every request received, in order. */
  readonly requests: FakeGravatarRequest[];
  answer(hash: string, answer: FakeAnswer): void;
  reset(): void;
  stop(): Promise<void>;
}

/** Minimal 1×1 images, valid for decoders and for file-type's detection. */
const IMAGES: Record<ImageFormat, { type: string; base64: string }> = {
  png: {
    type: "image/png",
    base64:
      "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
  },
  jpeg: {
    type: "image/jpeg",
    base64:
      "/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////////////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQABPxA=",
  },
  gif: {
    type: "image/gif",
    base64: "R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7",
  },
  webp: {
    type: "image/webp",
    base64: "UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==",
  },
};

const CHUNK = 64 * 1024;

/**
 * The bytes served for `format`. A variant adds trailing bytes after the
 * image's end marker, which decoders ignore, so the image looks the same but
 * hashes differently: a "changed Gravatar".
 */
export function imageBytes(format: ImageFormat, variant = 0): Buffer {
  const image = Buffer.from(IMAGES[format].base64, "base64");

  return variant ? Buffer.concat([image, Buffer.from(`v${variant}`)]) : image;
}

/** Starts the fake on 127.0.0.1 at a free port. */
export async function startFakeGravatar(): Promise<FakeGravatar> {
  const answers = new Map<string, FakeAnswer>();
  const requests: FakeGravatarRequest[] = [];
  const stopping = new AbortController();

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://fake");
    requests.push({ path: url.pathname, query: url.searchParams });
    const hash = url.pathname.match(/^\/avatar\/([0-9a-f]+)$/)?.[1];
    const answer = hash ? answers.get(hash) : undefined;
    serve(request, response, answer, stopping.signal).catch(() => {
      response.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    answer: (hash, answer) => answers.set(hash, answer),
    reset() {
      answers.clear();
      requests.length = 0;
    },
    async stop() {
      stopping.abort();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

async function serve(
  _request: IncomingMessage,
  response: ServerResponse,
  answer: FakeAnswer | undefined,
  stopping: AbortSignal,
): Promise<void> {
  if (!answer) {
    response.writeHead(404, { "content-type": "text/plain" }).end("Not Found");
    return;
  }

  switch (answer.kind) {
    case "image": {
      const body = imageBytes(answer.format, answer.variant);
      response.writeHead(200, { "content-type": IMAGES[answer.format].type });
      response.end(body);
      return;
    }
    case "status":
      response.writeHead(answer.status, { "content-type": "text/plain" });
      response.end(`status ${answer.status}`);
      return;
    case "html":
      response.writeHead(200, { "content-type": "image/png" });
      response.end("<!doctype html><html><body>Sign in</body></html>");
      return;
    case "slow":
      return serveSlowly(response, answer.delayMs, answer.phase, stopping);
    case "oversized":
      return serveOversized(response, answer.bytes, stopping);
  }
}

async function serveSlowly(
  response: ServerResponse,
  delayMs: number,
  phase: "headers" | "body",
  stopping: AbortSignal,
): Promise<void> {
  const body = imageBytes("png");
  if (phase === "headers")
    await sleep(delayMs, undefined, { signal: stopping });
  response.writeHead(200, { "content-type": "image/png" });
  response.write(body.subarray(0, 8));
  if (phase === "body") await sleep(delayMs, undefined, { signal: stopping });
  response.end(body.subarray(8));
}

async function serveOversized(
  response: ServerResponse,
  size: number,
  stopping: AbortSignal,
): Promise<void> {
  response.writeHead(200, { "content-type": "image/png" });
  const image = imageBytes("png");
  response.write(image);
  let sent = image.byteLength;
  while (sent < size && !response.destroyed && !stopping.aborted) {
    const chunk = Buffer.alloc(Math.min(CHUNK, size - sent));
    if (!response.write(chunk)) await drainedOrClosed(response);
    sent += chunk.byteLength;
  }
  response.end();
}

function drainedOrClosed(response: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      response.off("drain", done);
      response.off("close", done);
      resolve();
    };
    response.on("drain", done);
    response.on("close", done);
  });
}
