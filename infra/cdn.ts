/**
 * The CDN: the sync function's read access and the S3 event rule, both
 * generated from the registry by the functions the runtime uses; the CDN
 * queue and its functions; the R2 bucket and its edge on Cloudflare.
 */
import * as aws from "@pulumi/aws";
import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import { registryEventPattern } from "../src/cdn/registry-rules.ts";
import type { Registry } from "../src/cdn/types.ts";
import {
  CDN_SECRET_NAME,
  REGISTRY_PREFIX,
  readSecret,
  registryListing,
  registryRead,
  registryStatements,
} from "./cdn-access.ts";
import { serveBucket } from "./cdn-edge.ts";
import { LambdaFunction } from "./components/lambda-function.ts";
import {
  consumeQueue,
  QueueWithDlq,
  SQS_MAX_BATCH,
} from "./components/queue-with-dlq.ts";
import {
  cdnHost,
  type DeployContext,
  powertoolsEnvironment,
} from "./context.ts";

export const CDN_SYNC_TIMEOUT_SECONDS = 300;
export const CDN_BACKFILL_TIMEOUT_SECONDS = 300;

/**
 * Memory of the sync, measured by `npm run bench -- cdn-sync`
 * (docs/BENCHMARKS.md, "CDN sync"): the warm handler idles at about
 * 125 MiB RSS, and one 100 MiB copy raised RSS by 113 MiB (median of 5;
 * 121 MiB in the worst run), of which about 55 MiB was live and the rest
 * dead part buffers V8 had not collected yet.
 */
export const SYNC_IDLE_RSS_MIB = 125;
export const SYNC_LARGE_COPY_RSS_MIB = 113;

/**
 * The records of a batch are copied in parallel, so a batch of SQS's
 * maximum of 10 large objects needs about 125 + 10 × 113 = 1,255 MiB
 * (1,335 MiB with the worst run). 2,048 MB leaves about a third for what
 * was not measured, objects over 100 MiB above all; Lambda's CPU grows
 * with memory too, which the SDK's per-request work needs (DESIGN.md).
 */
export const CDN_SYNC_BATCH_SIZE = SQS_MAX_BATCH;
export const CDN_SYNC_MEMORY_MB = 2048;
/** Gather a few events per invocation without delaying a mirror much. */
const BATCH_WINDOW_SECONDS = 5;

export interface Cdn {
  readonly host: string;
  readonly r2Bucket: cloudflare.R2Bucket;
  readonly queue: QueueWithDlq;
  readonly pageQueue: QueueWithDlq;
  readonly sync: LambdaFunction;
  readonly backfillPage: LambdaFunction;
  /** Undefined when nothing is registered: there is nothing to watch. */
  readonly rule?: aws.cloudwatch.EventRule;
}

/** Everything the CDN sync needs, for `registry`. */
export function createCdn(
  name: string,
  context: DeployContext,
  registry: Registry,
): Cdn {
  const { config, prefix } = context;
  const host = cdnHost(context);
  const r2Bucket = new cloudflare.R2Bucket(`${name}-r2`, {
    accountId: config.cloudflareAccountId,
    name: `${prefix}-cdn`,
  });
  serveBucket(name, context, r2Bucket, host);

  const queue = new QueueWithDlq(`${name}-queue`, {
    queueName: `${prefix}-cdn-sync`,
    consumerTimeoutSeconds: CDN_SYNC_TIMEOUT_SECONDS,
  });
  // The backfill hands itself the next page through this queue: FIFO per
  // directory, deduplicated by page, so a page handled twice cannot fork.
  const pageQueue = new QueueWithDlq(`${name}-backfill-queue`, {
    queueName: `${prefix}-cdn-backfill`,
    consumerTimeoutSeconds: CDN_BACKFILL_TIMEOUT_SECONDS,
    fifo: true,
  });
  const environment = {
    ...powertoolsEnvironment(),
    CDN_REGISTRY_PREFIX: REGISTRY_PREFIX,
    CDN_SECRET_NAME,
    CDN_R2_BUCKET: r2Bucket.name,
    CDN_QUEUE_URL: queue.queue.url,
    CDN_BACKFILL_QUEUE_URL: pageQueue.queue.url,
    CDN_BASE_URL: `https://${host}`,
  };
  const registryParameters = registryRead(context);

  const sync = new LambdaFunction(`${name}-sync`, {
    handler: "cdn-sync",
    functionName: `${prefix}-cdn-sync`,
    description: "Mirrors objects of registered buckets into R2",
    environment,
    statements: [
      ...registryStatements(registry),
      registryParameters,
      readSecret(context),
      consumeQueue("CdnQueue", queue.queue.arn),
    ],
    logRetentionDays: config.logRetentionDays,
    timeoutSeconds: CDN_SYNC_TIMEOUT_SECONDS,
    memoryMb: CDN_SYNC_MEMORY_MB,
    codeDir: context.codeDir,
  });
  new aws.lambda.EventSourceMapping(`${name}-sync-queue`, {
    functionName: sync.arn,
    eventSourceArn: queue.queue.arn,
    batchSize: CDN_SYNC_BATCH_SIZE,
    maximumBatchingWindowInSeconds: BATCH_WINDOW_SECONDS,
    functionResponseTypes: ["ReportBatchItemFailures"],
  });

  const backfillPage = new LambdaFunction(`${name}-backfill-page`, {
    handler: "cdn-backfill-page",
    functionName: `${prefix}-cdn-backfill-page`,
    description: "Queues one page of a registered bucket for the CDN sync",
    environment,
    statements: [
      // It only lists the buckets; the sync reads the objects.
      ...registryListing(registry),
      registryParameters,
      {
        Sid: "EnqueueMirrorAndNextPage",
        Effect: "Allow",
        Action: ["sqs:SendMessage"],
        Resource: [queue.queue.arn, pageQueue.queue.arn],
      },
      consumeQueue("BackfillQueue", pageQueue.queue.arn),
    ],
    logRetentionDays: config.logRetentionDays,
    timeoutSeconds: CDN_BACKFILL_TIMEOUT_SECONDS,
    codeDir: context.codeDir,
  });
  new aws.lambda.EventSourceMapping(`${name}-backfill-page-queue`, {
    functionName: backfillPage.arn,
    eventSourceArn: pageQueue.queue.arn,
    batchSize: SQS_MAX_BATCH,
    functionResponseTypes: ["ReportBatchItemFailures"],
  });

  const rule = routeEvents(name, context, registry, queue);

  return { host, r2Bucket, queue, pageQueue, sync, backfillPage, rule };
}

/**
 * EventBridge's longest retry of an undelivered event, 24 hours and 185
 * attempts (RetryPolicy, EventBridge API): delivery to SQS fails only
 * while the queue refuses it, and a lost event is an object never mirrored.
 */
const EVENT_MAX_AGE_SECONDS = 86_400;
const EVENT_MAX_RETRIES = 185;

/**
 * The registry's S3 events → the CDN queue, allowed for that rule only.
 * What EventBridge cannot deliver goes to the CDN queue's DLQ: its body is
 * the same event JSON the queue would have held, so one redrive serves
 * both kinds of failure.
 */
function routeEvents(
  name: string,
  context: DeployContext,
  registry: Registry,
  queue: QueueWithDlq,
): aws.cloudwatch.EventRule | undefined {
  const pattern = registryEventPattern(registry);
  if (!pattern) return undefined;

  const rule = new aws.cloudwatch.EventRule(`${name}-rule`, {
    name: `${context.prefix}-cdn-objects`,
    description: "Object created or deleted in a bucket registered for the CDN",
    eventPattern: JSON.stringify(pattern),
  });
  new aws.sqs.QueuePolicy(`${name}-queue-policy`, {
    queueUrl: queue.queue.url,
    policy: sendFromRule("FromCdnRule", queue.queue, rule),
  });
  new aws.sqs.QueuePolicy(`${name}-dlq-policy`, {
    queueUrl: queue.deadLetterQueue.url,
    policy: sendFromRule("UndeliveredFromCdnRule", queue.deadLetterQueue, rule),
  });
  new aws.cloudwatch.EventTarget(`${name}-rule-target`, {
    rule: rule.name,
    arn: queue.queue.arn,
    retryPolicy: {
      maximumEventAgeInSeconds: EVENT_MAX_AGE_SECONDS,
      maximumRetryAttempts: EVENT_MAX_RETRIES,
    },
    deadLetterConfig: { arn: queue.deadLetterQueue.arn },
  });

  return rule;
}

/** A queue policy letting EventBridge send to `queue` for `rule` only. */
function sendFromRule(
  sid: string,
  queue: aws.sqs.Queue,
  rule: aws.cloudwatch.EventRule,
): pulumi.Output<string> {
  return pulumi.jsonStringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: sid,
        Effect: "Allow",
        Principal: { Service: "events.amazonaws.com" },
        Action: "sqs:SendMessage",
        Resource: queue.arn,
        Condition: { ArnEquals: { "aws:SourceArn": rule.arn } },
      },
    ],
  });
}
