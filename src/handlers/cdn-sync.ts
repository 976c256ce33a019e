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
import { cdnUrlFor, purgeUrls } from "../cdn/purge.ts";
import { parseS3Event, parseS3EventBody } from "../cdn/s3-event.ts";
import { cdnSyncDepsFromConfig } from "./cdn-sync-deps.ts";
import {
  type CdnSyncDeps,
  type EventOutcome,
  syncEvent,
} from "./cdn-sync-event.ts";

export type {
  CdnSyncDeps,
  SyncLogger,
  SyncMetrics,
} from "./cdn-sync-event.ts";

export type CdnSyncEvent = SQSEvent | Record<string, unknown>;

/** What a bare EventBridge invocation returns (SQS gets item failures). */
export interface CdnSyncSummary {
  readonly outcome: EventOutcome;
}

/** Builds the handler around `deps`; tests inject engines' adapters. */
export function createCdnSyncHandler(deps: CdnSyncDeps) {
  return async function cdnSync(
    event: CdnSyncEvent,
    context?: Context,
  ): Promise<SQSBatchResponse | CdnSyncSummary> {
    const replaced: string[] = [];
    const collect = (r2Key: string) => {
      if (deps.purger) replaced.push(cdnUrlFor(deps.cdnBaseUrl, r2Key));
    };
    try {
      if (!isSqsEvent(event)) {
        const outcome = await syncEvent(
          deps,
          () => parseS3Event(event),
          collect,
        );
        return { outcome };
      }

      // A processor per invocation: the local core may run batches at once.
      return await processPartialResponse(
        event,
        async function syncRecord(record: SQSRecord) {
          const hint = () => parseS3EventBody(record.body);
          await syncEvent(deps, hint, collect, record.messageId);
        },
        new BatchProcessor(EventType.SQS),
        { ...(context ? { context } : {}), throwOnFullBatchFailure: false },
      );
    } finally {
      await purge(deps, replaced);
      deps.metrics.publish();
    }
  };
}

function isSqsEvent(event: CdnSyncEvent): event is SQSEvent {
  return Array.isArray((event as SQSEvent).Records);
}

/** Purges after the batch, so one call covers many records. */
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

let configured: ReturnType<typeof createCdnSyncHandler> | undefined;

/** The Lambda entry point, wired from configuration on first use. */
export async function handler(
  event: CdnSyncEvent,
  context?: Context,
): Promise<SQSBatchResponse | CdnSyncSummary> {
  configured ??= createCdnSyncHandler(cdnSyncDepsFromConfig());

  return configured(event, context);
}
