/**
 * The CDN sync Lambda: EventBridge S3 events, through SQS (partial batch
 * failures) or bare, each mirrored into R2 from the source's current state.
 */
import {
  BatchProcessor,
  EventType,
  processPartialResponse,
} from "@aws-lambda-powertools/batch";
import type {
  Context,
  SQSBatchResponse,
  SQSEvent,
  SQSRecord,
} from "aws-lambda";
import { CdnKeyRefusedError } from "../cdn/errors.ts";
import { mirrorObject } from "../cdn/mirror.ts";
import type {
  CachePurger,
  MirrorStore,
  RegistrySource,
  SourceBuckets,
} from "../cdn/ports.ts";
import { cdnUrlFor, purgeUrls } from "../cdn/purge.ts";
import {
  parseS3Event,
  parseS3EventBody,
  type S3ObjectHint,
} from "../cdn/s3-event.ts";
import { cdnSyncDepsFromConfig } from "./cdn-sync-deps.ts";

/** The slice of Powertools' Logger the handler uses. */
export interface SyncLogger {
  info(message: string, attributes: Record<string, unknown>): void;
  warn(message: string, attributes: Record<string, unknown>): void;
  error(message: string, attributes: Record<string, unknown>): void;
}

/** The slice of Powertools' Metrics the handler uses (counts only). */
export interface SyncMetrics {
  count(name: string, value?: number): void;
  publish(): void;
}

export interface CdnSyncDeps {
  readonly registry: RegistrySource;
  readonly source: SourceBuckets;
  /** Called per invocation, so a rotated secret reaches the R2 client. */
  readonly r2: () => Promise<MirrorStore>;
  /** Absent when no zone and token are configured. */
  readonly purger?: CachePurger;
  readonly cdnBaseUrl: string;
  readonly logger: SyncLogger;
  readonly metrics: SyncMetrics;
}

export type CdnSyncEvent = SQSEvent | Record<string, unknown>;

/** What a bare EventBridge invocation returns (SQS gets item failures). */
export interface CdnSyncSummary {
  readonly outcome: string;
}

/** Builds the handler around `deps`; tests inject engines' adapters. */
export function createCdnSyncHandler(deps: CdnSyncDeps) {
  const processor = new BatchProcessor(EventType.SQS);

  return async function cdnSync(
    event: CdnSyncEvent,
    context?: Context,
  ): Promise<SQSBatchResponse | CdnSyncSummary> {
    const purges: string[] = [];
    const sync = (hint: () => S3ObjectHint, messageId?: string) =>
      syncHint(deps, hint, purges, messageId);
    try {
      if (!isSqsEvent(event))
        return { outcome: await sync(() => parseS3Event(event)) };

      return await processPartialResponse(
        event,
        async function syncRecord(record: SQSRecord) {
          await sync(() => parseS3EventBody(record.body), record.messageId);
        },
        processor,
        { ...(context ? { context } : {}), throwOnFullBatchFailure: false },
      );
    } finally {
      await purge(deps, purges);
      deps.metrics.publish();
    }
  };
}

function isSqsEvent(event: CdnSyncEvent): event is SQSEvent {
  return Array.isArray((event as SQSEvent).Records);
}

/**
 * Handles one event. Unregistered buckets and refused keys succeed (a retry
 * cannot help); everything else is logged and rethrown so it is retried.
 */
async function syncHint(
  deps: CdnSyncDeps,
  readHint: () => S3ObjectHint,
  purges: string[],
  messageId: string | undefined,
): Promise<string> {
  const { logger, metrics } = deps;
  let hint: S3ObjectHint | undefined;
  try {
    hint = readHint();
    const { bucket, key } = hint;
    const entry = (await deps.registry.load()).find((e) => e.bucket === bucket);
    if (!entry) {
      logger.info("cdn event ignored: bucket not registered", {
        bucket,
        messageId,
      });
      metrics.count("UnregisteredBucket");
      return "unregistered";
    }

    const result = await mirrorObject(
      { source: deps.source, r2: await deps.r2() },
      entry,
      key,
    );
    logger.info("cdn object synced", {
      outcome: result.outcome,
      bucket,
      key,
      r2Key: result.r2Key,
      detailType: hint.detailType,
      eventId: hint.eventId,
      messageId,
    });
    metrics.count(`Object${capitalised(result.outcome)}`);
    if (deps.purger && result.replaced) {
      purges.push(cdnUrlFor(deps.cdnBaseUrl, result.r2Key));
    }

    return result.outcome;
  } catch (error) {
    if (error instanceof CdnKeyRefusedError) {
      logger.warn("cdn key refused", {
        bucket: hint?.bucket,
        key: error.key,
        dir: error.dir,
        reason: error.reason,
        messageId,
      });
      metrics.count("RefusedKey");
      return "refused";
    }
    logger.error("cdn sync failed", {
      bucket: hint?.bucket,
      key: hint?.key,
      error: (error as Error).name,
      reason: (error as Error).message,
      messageId,
    });
    metrics.count("SyncFailed");
    throw error;
  }
}

async function purge(deps: CdnSyncDeps, urls: string[]): Promise<void> {
  if (!deps.purger || urls.length === 0) return;

  const report = await purgeUrls(deps.purger, urls);
  deps.metrics.count("PurgedUrls", report.purged);
  for (const failure of report.failures) {
    deps.logger.error("cdn purge failed", {
      urls: failure.urls.length,
      first: failure.urls[0],
      reason: failure.error.message,
    });
    deps.metrics.count("PurgeFailed", failure.urls.length);
  }
}

function capitalised(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

let configured: ReturnType<typeof createCdnSyncHandler> | undefined;

/** The Lambda entry point, wired from configuration on first use. */
export async function handler(
  event: CdnSyncEvent,
  context?: Context,
): Promise<SQSBatchResponse | CdnSyncSummary> {
  configured ??= createCdnSyncHandler(cdnSyncDepsFromConfig());

  return configured(event, context);
}
