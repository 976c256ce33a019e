/**
 * Remote backfill, one page at a time: list one page of a registered
 * bucket, hand each object to the sync as an "Object Created" hint, then
 * ask for the next page. The sync reads each object's current state and
 * skips what R2 already holds, so hints for mirrored objects cost a HEAD,
 * and a page handled twice only repeats hints.
 */
import type { ListedObject } from "./backfill-ports.ts";
import { CdnInvalidEventError } from "./errors.ts";
import { keyRefusal } from "./keys.ts";
import type { RegistrySource } from "./ports.ts";

/** The message that asks for one page of `bucket`. */
export interface BackfillPageRequest {
  readonly kind: "cdn-backfill-page";
  readonly dir: string;
  readonly bucket: string;
  /** Names one backfill run; pages of a run are deduplicated by it. */
  readonly runId: string;
  /** Absent for the first page. */
  readonly continuationToken?: string;
}

/** One page of a listing and where the next one starts. */
export interface ListingPage {
  readonly objects: readonly ListedObject[];
  readonly nextToken?: string;
}

/** What a page run needs; adapters live in aws/bulk-page-queue.ts. */
export interface BackfillPagePorts {
  readonly registry: RegistrySource;
  listPage(bucket: string, token?: string): Promise<ListingPage>;
  /** Queues sync hints (EventBridge-shaped events) for the sync handler. */
  sendHints(events: readonly ObjectCreatedEvent[]): Promise<void>;
  sendPageRequest(request: BackfillPageRequest): Promise<void>;
}

/** The EventBridge "Object Created" event the sync handler parses. */
export interface ObjectCreatedEvent {
  readonly version: "0";
  readonly id: string;
  readonly "detail-type": "Object Created";
  readonly source: "aws.s3";
  readonly time: string;
  readonly resources: readonly string[];
  readonly detail: {
    readonly version: "0";
    readonly bucket: { readonly name: string };
    readonly object: {
      readonly key: string;
      readonly size: number;
      readonly etag: string;
    };
    readonly reason: "Backfill";
  };
}

/** What one page did, for the handler's log line. */
export interface PageOutcome {
  readonly outcome: "enqueued" | "unregistered" | "invalid";
  readonly hints: number;
  readonly refused: number;
  readonly nextPage: boolean;
}

/** Validates a page request from a message body or a direct invocation. */
export function parsePageRequest(input: unknown): BackfillPageRequest {
  const value = typeof input === "string" ? safeJson(input) : input;
  const record = (value ?? {}) as Record<string, unknown>;
  const { dir, bucket, runId, continuationToken } = record;
  if (
    typeof dir !== "string" ||
    typeof bucket !== "string" ||
    typeof runId !== "string"
  ) {
    throw new CdnInvalidEventError(
      "A backfill page request needs string fields dir, bucket and runId",
    );
  }
  const token =
    typeof continuationToken === "string" && continuationToken !== ""
      ? { continuationToken }
      : {};

  return { kind: "cdn-backfill-page", dir, bucket, runId, ...token };
}

/**
 * Encodes a key the way S3 notifications do (an HTML form value, `/`
 * kept), so that keys.ts `decodeEventKey` returns the original.
 */
export function encodeEventKey(key: string): string {
  return encodeURIComponent(key).replace(/%20/g, "+").replace(/%2F/g, "/");
}

/** The sync hint for `object` of `bucket`. */
export function objectCreatedEvent(
  bucket: string,
  object: ListedObject,
  id: string,
  now: Date,
): ObjectCreatedEvent {
  return {
    version: "0",
    id,
    "detail-type": "Object Created",
    source: "aws.s3",
    time: now.toISOString(),
    resources: [`arn:aws:s3:::${bucket}`],
    detail: {
      version: "0",
      bucket: { name: bucket },
      object: {
        key: encodeEventKey(object.key),
        size: object.size,
        etag: object.etag,
      },
      reason: "Backfill",
    },
  };
}

/**
 * Handles one page: hints first, then the next page, so a failure after
 * the hints repeats them (harmless) rather than losing the rest.
 */
export async function runBackfillPage(
  ports: BackfillPagePorts,
  request: BackfillPageRequest,
  newId: () => string,
  now = new Date(),
): Promise<PageOutcome> {
  const registry = await ports.registry.load();
  const registered = registry.some(
    (entry) => entry.dir === request.dir && entry.bucket === request.bucket,
  );
  if (!registered) {
    return { outcome: "unregistered", hints: 0, refused: 0, nextPage: false };
  }

  const page = await ports.listPage(request.bucket, request.continuationToken);
  const accepted = page.objects.filter(
    (object) => keyRefusal(request.dir, object.key) === undefined,
  );
  const events = accepted.map((object) =>
    objectCreatedEvent(request.bucket, object, newId(), now),
  );
  await ports.sendHints(events);
  if (page.nextToken) {
    await ports.sendPageRequest({
      ...request,
      continuationToken: page.nextToken,
    });
  }

  return {
    outcome: "enqueued",
    hints: events.length,
    refused: page.objects.length - accepted.length,
    nextPage: Boolean(page.nextToken),
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CdnInvalidEventError("The page request is not JSON", {
      cause: error,
    });
  }
}
