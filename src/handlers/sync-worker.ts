/**
 * SQS handler for the sync queue: syncs each user named in a message. Only
 * failing records are reported back, so SQS retries just those; a message
 * that can never succeed is logged and dropped rather than retried forever.
 */
import {
  BatchProcessor,
  EventType,
  processPartialResponse,
} from "@aws-lambda-powertools/batch";
import type { SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { InvalidSyncMessageError } from "../users/errors.ts";
import { parseSyncRequest } from "../users/sync-request.ts";
import { gravatarUnavailableIn, type UserSync } from "../users/sync-user.ts";
import {
  createObservability,
  lazyHandler,
  type Observability,
} from "./observability.ts";
import { wireUserSync } from "./user-sync-wiring.ts";

export interface SyncWorkerDeps {
  readonly sync: Pick<UserSync, "sync">;
  readonly observability: Observability;
}

export function createSyncWorkerHandler(deps: SyncWorkerDeps) {
  const { logger, metrics, count } = deps.observability;

  async function syncRecord(record: SQSRecord): Promise<void> {
    let request: ReturnType<typeof parseSyncRequest>;
    try {
      request = parseSyncRequest(record.body ?? "");
    } catch (error) {
      if (!(error instanceof InvalidSyncMessageError)) throw error;
      count("SyncMessageRejected");
      logger.warn("dropped a sync message that can never succeed", {
        messageId: record.messageId,
        problem: error.message,
      });
      return;
    }

    try {
      const outcome = await deps.sync.sync(request.userId);
      count(`User${capitalise(outcome.status)}`);
      const gravatarUnavailable = gravatarUnavailableIn(outcome);
      if (gravatarUnavailable) count("GravatarUnavailable");
      logger.info(`user ${outcome.status}`, {
        userId: request.userId,
        reason: request.reason,
        messageId: record.messageId,
        ...(gravatarUnavailable ? { gravatarUnavailable } : {}),
      });
    } catch (error) {
      count("UserSyncFailed");
      logger.error("user sync failed; the message will be retried", {
        userId: request.userId,
        messageId: record.messageId,
        error: error as Error,
      });
      throw error;
    }
  }

  return async function syncWorker(
    event: SQSEvent,
    context?: unknown,
  ): Promise<SQSBatchResponse> {
    try {
      return await processPartialResponse(
        event,
        syncRecord,
        new BatchProcessor(EventType.SQS),
        context ? { context: context as never } : undefined,
      );
    } finally {
      metrics.publishStoredMetrics();
    }
  };
}

function capitalise(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

export const handler = lazyHandler(() =>
  createSyncWorkerHandler({
    sync: wireUserSync().sync,
    observability: createObservability("sync-worker"),
  }),
);
