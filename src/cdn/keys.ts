/**
 * Object keys: decoding the keys EventBridge reports, and deciding where a
 * source key lives in R2 and whether it can live there at all.
 */
import { CdnInvalidEventError, CdnKeyRefusedError } from "./errors.ts";

/**
 * R2 rejects object keys longer than 1,024 bytes of UTF-8
 * (https://developers.cloudflare.com/r2/reference/limits/).
 */
export const R2_MAX_KEY_BYTES = 1024;

/**
 * Decodes an object key as reported in an S3 event. S3 notifications encode
 * keys as an HTML form value (`red flower.jpg` becomes `red+flower.jpg`);
 * EventBridge does not document its encoding, so it is treated the same way
 * and the fixtures in test/cdn/keys.test.ts pin the behaviour.
 */
export function decodeEventKey(encoded: string): string {
  try {
    return decodeURIComponent(encoded.replaceAll("+", " "));
  } catch (error) {
    throw new CdnInvalidEventError(
      "The event's object key is not valid URL encoding",
      { cause: error },
    );
  }
}

/** Where `key` of the bucket registered under `dir` is stored in R2. */
export function r2KeyFor(dir: string, key: string): string {
  return `${dir}/${key}`;
}

/**
 * Why `key` cannot be mirrored under `dir`, or undefined if it can. Empty,
 * `.` and `..` segments would be normalised away by URL clients (and escape
 * s3rver's data folder), so two source keys could land on one CDN URL.
 */
export function keyRefusal(dir: string, key: string): string | undefined {
  if (key === "") return "the key is empty";

  const segments = key.split("/");
  if (segments.includes("")) return "the key has an empty path segment";
  if (segments.some((segment) => segment === "." || segment === "..")) {
    return "the key has a '.' or '..' path segment";
  }

  const bytes = Buffer.byteLength(r2KeyFor(dir, key), "utf8");
  if (bytes > R2_MAX_KEY_BYTES) {
    return `the R2 key would be ${bytes} bytes, over R2's limit of ${R2_MAX_KEY_BYTES}`;
  }

  return undefined;
}

/** The R2 key for `key` under `dir`; throws CdnKeyRefusedError if refused. */
export function mirrorKeyFor(dir: string, key: string): string {
  const reason = keyRefusal(dir, key);
  if (reason) throw new CdnKeyRefusedError(dir, key, reason);

  return r2KeyFor(dir, key);
}
