/**
 * One S3 event through the CDN sync: find the bucket's directory, mirror the
 * key, and log and count the decision. Shared by SQS records and bare events.
 */
import {
  CdnKeyRefusedError,
  CdnR2CredentialsRejectedError,
} from "../cdn/errors.ts";
import { type MirrorResult, mirrorObject } from "../cdn/mirror.ts";
import type {
  CachePurger,
  MirrorStore,
  RegistrySource,
  SourceBuckets,
} from "../cdn/ports.ts";
import type { S3ObjectHint } from "../cdn/s3-event.ts";
import type { Registry, RegistryEntry } from "../cdn/types.ts";

/** The slice of Powertools' Logger the sync uses. */
export interface SyncLogger {
  info(message: string, attributes: Record<string, unknown>): void;
  warn(message: string, attributes: Record<string, unknown>): void;
  error(message: string, attributes: Record<string, unknown>): void;
}

/** The slice of Powertools' Metrics the sync uses (counts only). */
export interface SyncMetrics {
  count(name: string, value?: number): void;
  publish(): void;
}

export interface CdnSyncDeps {
  readonly registry: RegistrySource;
  readonly source: SourceBuckets;
  /** Called per event, so a rotated secret reaches the R2 client. */
  readonly r2: () => Promise<MirrorStore>;
  /**
   * Called when R2 refuses the keys, to drop the cached secret so that the
   * record's retry reads the rotated one (resetCdnSecretCache in AWS).
   */
  readonly onR2CredentialsRejected?: () => void;
  /** Absent when no zone and token are configured. */
  readonly purger?: CachePurger;
  readonly cdnBaseUrl: string;
  readonly logger: SyncLogger;
  readonly metrics: SyncMetrics;
}

/** What became of one event. */
export type EventOutcome = MirrorResult["outcome"] | "unregistered" | "refused";

/**
 * Handles one event; `readHint` parses it, so a malformed event is logged
 * like any failure. Unregistered buckets and refused keys succeed (a retry
 * cannot help); every other error is logged and rethrown to be retried.
 * `onReplaced` receives the R2 key of each replaced or deleted object.
 */
export async function syncEvent(
  deps: CdnSyncDeps,
  readHint: () => S3ObjectHint,
  onReplaced: (r2Key: string) => void,
  messageId?: string,
): Promise<EventOutcome> {
  let hint: S3ObjectHint | undefined;
  try {
    hint = readHint();

    return await syncHint(deps, hint, onReplaced, messageId);
  } catch (error) {
    if (error instanceof CdnKeyRefusedError) {
      deps.logger.warn("cdn key refused", {
        bucket: hint?.bucket,
        key: error.key,
        dir: error.dir,
        reason: error.reason,
        messageId,
      });
      deps.metrics.count("RefusedKey");
      return "refused";
    }
    if (error instanceof CdnR2CredentialsRejectedError) {
      deps.onR2CredentialsRejected?.();
    }
    deps.logger.error("cdn sync failed", {
      bucket: hint?.bucket,
      key: hint?.key,
      error: (error as Error).name,
      reason: (error as Error).message,
      messageId,
    });
    deps.metrics.count("SyncFailed");
    throw error;
  }
}

async function syncHint(
  deps: CdnSyncDeps,
  hint: S3ObjectHint,
  onReplaced: (r2Key: string) => void,
  messageId: string | undefined,
): Promise<EventOutcome> {
  const { bucket, key } = hint;
  const entry = await registeredEntry(deps, bucket);
  if (!entry) {
    deps.logger.info("cdn event ignored: bucket not registered", {
      bucket,
      messageId,
    });
    deps.metrics.count("UnregisteredBucket");
    return "unregistered";
  }

  const mirror = { source: deps.source, r2: await deps.r2() };
  const result = await mirrorObject(mirror, entry, key);
  deps.logger.info("cdn object synced", {
    outcome: result.outcome,
    bucket,
    key,
    r2Key: result.r2Key,
    detailType: hint.detailType,
    eventId: hint.eventId,
    messageId,
  });
  deps.metrics.count(METRIC_OF[result.outcome]);
  if (result.replaced) onReplaced(result.r2Key);

  return result.outcome;
}

/** The bucket's entry; a miss re-reads the registry once, for new buckets. */
async function registeredEntry(
  deps: CdnSyncDeps,
  bucket: string,
): Promise<RegistryEntry | undefined> {
  const find = (registry: Registry) =>
    registry.find((candidate) => candidate.bucket === bucket);

  return (
    find(await deps.registry.load()) ??
    find(await deps.registry.load({ fresh: true }))
  );
}

const METRIC_OF: Record<MirrorResult["outcome"], string> = {
  copied: "ObjectCopied",
  unchanged: "ObjectUnchanged",
  deleted: "ObjectDeleted",
  absent: "ObjectAbsent",
};
