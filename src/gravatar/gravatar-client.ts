/**
 * Gravatar over HTTP. Answers what Gravatar holds for an email address
 * without ever putting the address, or its hash, into a result or an error.
 */
import { createHash } from "node:crypto";
import { fileTypeFromBuffer } from "file-type/core";
import type { UserSyncConfig } from "../config.ts";
import type {
  AvatarImage,
  GravatarLookup,
  GravatarSource,
} from "../users/ports.ts";
import { readAtMost } from "./capped-body.ts";

/** Issue 2: accept at most 1 MiB of image. */
export const MAX_AVATAR_BYTES = 1024 * 1024;

/** The formats we serve, by the extension file-type detects from bytes. */
const ACCEPTED_TYPES: Readonly<Record<string, string>> = {
  png: "image/png",
  jpg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
};

export interface GravatarClientOptions {
  /** E.g. `https://gravatar.com`, without a trailing slash. */
  readonly baseUrl: string;
  /** Edge length in pixels, Gravatar's `s` parameter. */
  readonly size: number;
  /** Covers the whole exchange: connecting, headers and body. */
  readonly timeoutMs: number;
  /** Injected by tests; defaults to the global fetch. */
  readonly fetch?: typeof fetch;
}

/** Gravatar's identifier: SHA-256 hex of the trimmed, lower-case email. */
export function gravatarHash(email: string): string {
  return createHash("sha256").update(email.trim().toLowerCase()).digest("hex");
}

/** A GravatarSource that fetches `<baseUrl>/avatar/<hash>?s=<size>&d=404`. */
export class GravatarClient implements GravatarSource {
  readonly #options: GravatarClientOptions;
  readonly #fetch: typeof fetch;

  constructor(options: GravatarClientOptions) {
    this.#options = {
      ...options,
      baseUrl: options.baseUrl.replace(/\/+$/, ""),
    };
    this.#fetch = options.fetch ?? fetch;
  }

  async lookup(email: string): Promise<GravatarLookup> {
    const { baseUrl, size, timeoutMs } = this.#options;
    // d=404 makes Gravatar answer 404 instead of a generated placeholder.
    const url = `${baseUrl}/avatar/${gravatarHash(email)}?s=${size}&d=404`;
    // One signal for the request and the body, so a server that trickles
    // bytes cannot hold a sync longer than the timeout.
    const signal = AbortSignal.timeout(timeoutMs);

    try {
      const response = await this.#fetch(url, { signal });

      return await interpret(response);
    } catch (error) {
      return unavailable(describeFailure(error, timeoutMs));
    }
  }
}

/** A client configured from the user-sync settings. */
export function gravatarClientFromConfig(
  config: Pick<
    UserSyncConfig,
    "GRAVATAR_BASE_URL" | "GRAVATAR_SIZE" | "GRAVATAR_TIMEOUT_MS"
  >,
): GravatarClient {
  return new GravatarClient({
    baseUrl: config.GRAVATAR_BASE_URL,
    size: config.GRAVATAR_SIZE,
    timeoutMs: config.GRAVATAR_TIMEOUT_MS,
  });
}

async function interpret(response: Response): Promise<GravatarLookup> {
  if (response.status !== 200) {
    await discard(response);
    if (response.status === 404) return { kind: "absent" };

    return unavailable(`Gravatar answered HTTP ${response.status}`);
  }

  const body = await readAtMost(response, MAX_AVATAR_BYTES);
  if (body.kind === "too-large") {
    return unavailable(
      `refused: the image is larger than ${MAX_AVATAR_BYTES} bytes`,
    );
  }

  const image = await toAvatarImage(body.bytes);
  if (!image) {
    return unavailable("refused: the body is not a PNG, JPEG, GIF or WebP");
  }

  return { kind: "found", image };
}

/** The image if its bytes are one of the accepted formats; the header lies. */
async function toAvatarImage(
  bytes: Uint8Array,
): Promise<AvatarImage | undefined> {
  const detected = await fileTypeFromBuffer(bytes);
  const contentType = detected && ACCEPTED_TYPES[detected.ext];
  if (!detected || !contentType) return undefined;

  return { bytes, contentType, extension: detected.ext };
}

/** Releases the connection of a response whose body we do not need. */
async function discard(response: Response): Promise<void> {
  try {
    await response.body?.cancel();
  } catch {
    // The body is unwanted; failing to drain it changes nothing.
  }
}

function unavailable(reason: string): GravatarLookup {
  return { kind: "unavailable", reason };
}

/**
 * A reason built from the error's kind only. Error messages can quote the
 * request URL, which carries the email hash, so they are never copied.
 */
function describeFailure(error: unknown, timeoutMs: number): string {
  const name = error instanceof Error ? error.name : typeof error;
  if (name === "TimeoutError" || name === "AbortError") {
    return `Gravatar did not answer within ${timeoutMs} ms`;
  }

  const cause = error instanceof Error ? error.cause : undefined;
  const code = (cause as { code?: unknown } | undefined)?.code;
  if (typeof code === "string" && /^[A-Z_]+$/.test(code)) {
    return `Gravatar could not be reached (${code})`;
  }

  return `Gravatar could not be reached (${name})`;
}
