/**
 * The CDN: the registry of mirrored buckets, read at deploy time, and what
 * it generates (the sync function's read access and the S3 event rule)
 * through the same functions the runtime uses; the CDN queue and its
 * functions; the R2 bucket served at `cdn.<domain>` with a cache rule.
 */
import * as aws from "@pulumi/aws";
import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import { parseRegistry } from "../src/cdn/registry.ts";
import {
  registryEventPattern,
  registryPolicyDocument,
} from "../src/cdn/registry-rules.ts";
import type { Registry } from "../src/cdn/types.ts";
import { LambdaFunction } from "./components/lambda-function.ts";
import { QueueWithDlq } from "./components/queue-with-dlq.ts";
import {
  arn,
  cdnHost,
  type DeployContext,
  powertoolsEnvironment,
} from "./context.ts";
import type { Statement } from "./iam.ts";
import { AVATARS_DIR, consumeQueue } from "./user-sync.ts";

/** Where buckets register, and the R2 credentials' secret (DESIGN.md). */
export const REGISTRY_PREFIX = "/cdn-bucket/";
export const CDN_SECRET_NAME = "/core/cloudflare-cdn";
export const CDN_SYNC_TIMEOUT_SECONDS = 300;
export const CDN_BACKFILL_TIMEOUT_SECONDS = 300;
/** SQS's largest batch for a standard queue event source (Lambda docs). */
const SQS_MAX_BATCH = 10;
/** Gather a few events per invocation without delaying a mirror much. */
const BATCH_WINDOW_SECONDS = 5;

/**
 * The registry as SSM holds it now, plus the avatars entry this stack
 * creates, so a first deploy (before the parameter exists) mirrors avatars.
 */
export async function readRegistry(avatarsBucket: string): Promise<Registry> {
  const found = await aws.ssm.getParametersByPath({
    path: REGISTRY_PREFIX,
    recursive: true,
    withDecryption: false,
  });
  const avatars = `${REGISTRY_PREFIX}${AVATARS_DIR}`;
  const parameters = found.names
    .map((name, index) => ({ name, value: found.values[index] ?? "" }))
    .filter((parameter) => parameter.name !== avatars);

  return parseRegistry(
    [...parameters, { name: avatars, value: avatarsBucket }],
    REGISTRY_PREFIX,
  );
}

/** Read access to the registry's buckets, as the runtime derives it. */
export function registryStatements(registry: Registry): Statement[] {
  const document = registryPolicyDocument(registry);

  return (document?.Statement ?? []).map((statement) => ({
    ...statement,
    Action: [...statement.Action],
    Resource: [...statement.Resource],
  }));
}

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
  const reads = [...registryStatements(registry), registryRead(context)];

  const sync = new LambdaFunction(`${name}-sync`, {
    handler: "cdn-sync",
    functionName: `${prefix}-cdn-sync`,
    description: "Mirrors objects of registered buckets into R2",
    environment,
    statements: [
      ...reads,
      readSecret(context),
      consumeQueue("CdnQueue", queue.queue.arn),
    ],
    logRetentionDays: config.logRetentionDays,
    timeoutSeconds: CDN_SYNC_TIMEOUT_SECONDS,
    memoryMb: 1024,
    codeDir: context.codeDir,
  });
  new aws.lambda.EventSourceMapping(`${name}-sync-queue`, {
    functionName: sync.arn,
    eventSourceArn: queue.queue.arn,
    batchSize: SQS_MAX_BATCH,
    maximumBatchingWindowInSeconds: BATCH_WINDOW_SECONDS,
    functionResponseTypes: ["ReportBatchItemFailures"],
  });

  const backfillPage = new LambdaFunction(`${name}-backfill-page`, {
    handler: "cdn-backfill-page",
    functionName: `${prefix}-cdn-backfill-page`,
    description: "Queues one page of a registered bucket for the CDN sync",
    environment,
    statements: [
      ...reads,
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

/** The runtime reads the registry itself, to map a bucket to its dir. */
function registryRead(context: DeployContext): Statement {
  const path = REGISTRY_PREFIX.replace(/\/$/, "");

  return {
    Sid: "ReadRegistry",
    Effect: "Allow",
    Action: ["ssm:GetParametersByPath"],
    Resource: [
      arn(context, "ssm", `parameter${path}`),
      arn(context, "ssm", `parameter${path}/*`),
    ],
  };
}

/** Only the R2 secret; Secrets Manager appends six random characters. */
function readSecret(context: DeployContext): Statement {
  return {
    Sid: "ReadR2Secret",
    Effect: "Allow",
    Action: ["secretsmanager:GetSecretValue"],
    Resource: [arn(context, "secretsmanager", `secret:${CDN_SECRET_NAME}-*`)],
  };
}

/** The registry's S3 events → the CDN queue, allowed for that rule only. */
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
    policy: pulumi.jsonStringify({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "FromCdnRule",
          Effect: "Allow",
          Principal: { Service: "events.amazonaws.com" },
          Action: "sqs:SendMessage",
          Resource: queue.queue.arn,
          Condition: { ArnEquals: { "aws:SourceArn": rule.arn } },
        },
      ],
    }),
  });
  new aws.cloudwatch.EventTarget(`${name}-rule-target`, {
    rule: rule.name,
    arn: queue.queue.arn,
  });

  return rule;
}

/** `cdn.<domain>` on the R2 bucket, and a cache rule for that host. */
function serveBucket(
  name: string,
  context: DeployContext,
  r2Bucket: cloudflare.R2Bucket,
  host: string,
): void {
  const { config, zone } = context;
  new cloudflare.R2CustomDomain(`${name}-domain`, {
    accountId: config.cloudflareAccountId,
    bucketName: r2Bucket.name,
    domain: host,
    zoneId: zone.zoneId,
    enabled: true,
    minTls: config.minTlsVersion,
  });
  new cloudflare.Ruleset(`${name}-cache-rules`, {
    zoneId: zone.zoneId,
    name: "api-core cache rules",
    description: "Cache everything served from the CDN host",
    kind: "zone",
    phase: "http_request_cache_settings",
    rules: [
      {
        ref: "cache_cdn_host",
        description: `Cache everything on ${host}`,
        expression: `(http.host eq "${host}")`,
        action: "set_cache_settings",
        actionParameters: {
          cache: true,
          edgeTtl: { mode: "respect_origin" },
        },
        enabled: true,
      },
    ],
  });
}
