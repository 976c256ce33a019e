/**
 * The remote backfill Lambda: each invocation handles page requests (from
 * its own SQS queue, or one bare request when invoked directly), queues one
 * sync hint per object on the CDN queue and the next page on its own queue.
 *
 * Why its own queue rather than invoking itself: SQS retries a failed page
 * and parks it in a DLQ, the backlog is visible, the CLI starts a backfill
 * with one SendMessage, and no Lambda client or invoke permission is
 * needed. A FIFO queue (grouped by directory, deduplicated by page) keeps a
 * page handled twice from forking the chain.
 */
import { randomUUID } from "node:crypto";
import { Logger } from "@aws-lambda-powertools/logger";
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import {
  listSourcePage,
  sendHints,
  sendPageRequest,
} from "../aws/bulk-page-queue.ts";
import { s3Client, sqsClient, ssmClient } from "../aws/clients.ts";
import { ssmRegistrySource } from "../aws/ssm-registry.ts";
import {
  type BackfillPagePorts,
  type BackfillPageRequest,
  type PageOutcome,
  parsePageRequest,
  runBackfillPage,
} from "../cdn/backfill-page.ts";
import { awsConfig, ConfigError, cdnConfig } from "../config.ts";

/** The slice of Powertools' Logger the handler uses. */
export interface PageLogger {
  info(message: string, attributes: Record<string, unknown>): void;
  error(message: string, attributes: Record<string, unknown>): void;
}

/** How long a warm function reuses the registry (as the sync does). */
const REGISTRY_MAX_AGE_MS = 60_000;

/** Builds the handler around `ports`; tests inject engine adapters. */
export function createBackfillPageHandler(
  ports: BackfillPagePorts,
  logger: PageLogger,
) {
  async function handlePage(
    input: unknown,
    messageId?: string,
  ): Promise<PageOutcome> {
    let request: BackfillPageRequest;
    try {
      request = parsePageRequest(input);
    } catch (error) {
      // A malformed request stays malformed: retrying would only fill the DLQ.
      logger.error("cdn backfill page request invalid", {
        messageId,
        reason: (error as Error).message,
      });
      return { outcome: "invalid", hints: 0, refused: 0, nextPage: false };
    }
    const context = {
      dir: request.dir,
      bucket: request.bucket,
      firstPage: request.continuationToken === undefined,
      messageId,
    };
    try {
      const outcome = await runBackfillPage(ports, request, randomUUID);
      logger.info("cdn backfill page", { ...context, ...outcome });
      return outcome;
    } catch (error) {
      logger.error("cdn backfill page failed", {
        ...context,
        error: (error as Error).name,
        reason: (error as Error).message,
      });
      throw error;
    }
  }

  return async function backfillPage(
    event: SQSEvent | Record<string, unknown>,
  ): Promise<SQSBatchResponse | PageOutcome> {
    if (!Array.isArray((event as SQSEvent).Records)) return handlePage(event);

    // FIFO order: once a record fails, it and every later one are retried.
    const records = (event as SQSEvent).Records;
    for (const [index, record] of records.entries()) {
      try {
        await handlePage(record.body, record.messageId);
      } catch {
        const failed = records.slice(index);
        return {
          batchItemFailures: failed.map((r) => ({
            itemIdentifier: r.messageId,
          })),
        };
      }
    }

    return { batchItemFailures: [] };
  };
}

let configured: ReturnType<typeof createBackfillPageHandler> | undefined;

/** The Lambda entry point, wired from configuration on first use. */
export async function handler(event: SQSEvent | Record<string, unknown>) {
  configured ??= createBackfillPageHandler(
    backfillPagePortsFromConfig(),
    new Logger({ serviceName: "cdn-backfill-page" }),
  );

  return configured(event);
}

function backfillPagePortsFromConfig(): BackfillPagePorts {
  const config = cdnConfig();
  const aws = awsConfig();
  const sqs = sqsClient(aws);
  const s3 = s3Client(aws);
  const queueUrl = required(config.CDN_QUEUE_URL, "CDN_QUEUE_URL");
  const pageQueueUrl = required(
    config.CDN_BACKFILL_QUEUE_URL,
    "CDN_BACKFILL_QUEUE_URL",
  );

  return {
    registry: ssmRegistrySource(
      ssmClient(aws),
      config.CDN_REGISTRY_PREFIX,
      REGISTRY_MAX_AGE_MS,
    ),
    listPage: (bucket, token) => listSourcePage(s3, bucket, token),
    sendHints: (events) => sendHints(sqs, queueUrl, events),
    sendPageRequest: (request) => sendPageRequest(sqs, pageQueueUrl, request),
  };
}

function required(value: string | undefined, name: string): string {
  if (!value) throw new ConfigError([`${name} is not set`]);

  return value;
}
