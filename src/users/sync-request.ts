import { InvalidSyncMessageError } from "./errors.ts";
import type { SyncRequest } from "./ports.ts";

/** Longest user id we accept; Cognito subs are 36-character UUIDs. */
const MAX_USER_ID_LENGTH = 128;
const USER_ID_PATTERN = /^[A-Za-z0-9_-]+$/;

/**
 * Reads a sync-queue message body: either a bare user id (what API Gateway
 * can send without a mapping template) or `{"userId": "...", "reason": "..."}`.
 * Throws InvalidSyncMessageError, naming the problem, for anything else.
 */
export function parseSyncRequest(body: string): SyncRequest {
  const text = body.trim();
  if (!text.startsWith("{")) {
    return { userId: checkUserId(text), reason: "unspecified" };
  }

  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new InvalidSyncMessageError("sync message is not valid JSON", {
      cause: error,
    });
  }
  const { userId, reason } = parsed as Record<string, unknown>;
  if (typeof userId !== "string") {
    throw new InvalidSyncMessageError("sync message has no string userId");
  }

  return {
    userId: checkUserId(userId.trim()),
    reason: typeof reason === "string" ? reason.slice(0, 64) : "unspecified",
  };
}

/** True for strings that can be a Cognito `sub`. */
export function isUserId(value: string): boolean {
  return (
    value.length > 0 &&
    value.length <= MAX_USER_ID_LENGTH &&
    USER_ID_PATTERN.test(value)
  );
}

function checkUserId(value: string): string {
  if (!isUserId(value)) {
    throw new InvalidSyncMessageError(
      `sync message userId must be 1-${MAX_USER_ID_LENGTH} letters, digits, '-' or '_'`,
    );
  }

  return value;
}

/** The message body for `request`, as the worker reads it. */
export function formatSyncRequest(request: SyncRequest): string {
  return JSON.stringify({ userId: request.userId, reason: request.reason });
}
