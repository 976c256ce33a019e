/**
 * User sync: the users table, the sync queue, the avatars bucket and its
 * registry parameter, then the worker and the nightly resync with prune.
 */
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { LambdaFunction } from "./components/lambda-function.ts";
import { PrivateBucket } from "./components/private-bucket.ts";
import {
  consumeQueue,
  createDeadLetterQueue,
  QueueWithDlq,
  SQS_MAX_BATCH,
} from "./components/queue-with-dlq.ts";
import type { DeployContext } from "./context.ts";
import { assumeRolePolicy, policyJson } from "./iam.ts";
import { userSyncEnvironment, userSyncStatements } from "./user-sync-access.ts";

export const SYNC_WORKER_TIMEOUT_SECONDS = 60;
/** The resync pages through every user; give it Lambda's whole 15 min. */
export const RESYNC_TIMEOUT_SECONDS = 900;
/** Days a replaced avatar stays recoverable before it expires. */
export const AVATAR_OLD_VERSION_DAYS = 30;
/** The registry directory the avatars are mirrored under on the CDN. */
export const AVATARS_DIR = "avatars";

/** What the rest of the program needs from the user-sync storage. */
export interface UserSyncStorage {
  readonly table: aws.dynamodb.Table;
  readonly syncQueue: QueueWithDlq;
  readonly avatarsBucket: aws.s3.Bucket;
  readonly avatarsBucketName: string;
}

/** The avatars bucket name: global, so account and region are in it. */
export function avatarsBucketName(context: DeployContext): string {
  return `${context.prefix}-avatars-${context.accountId}-${context.region}`;
}

/** The table, the queue and the avatars bucket with its registration. */
export function createUserSyncStorage(context: DeployContext): UserSyncStorage {
  const { config, prefix } = context;
  const table = new aws.dynamodb.Table(
    "users-table",
    {
      name: `${prefix}-users`,
      billingMode: "PAY_PER_REQUEST",
      hashKey: "id",
      attributes: [{ name: "id", type: "S" }],
      pointInTimeRecovery: { enabled: true },
      deletionProtectionEnabled: true,
      serverSideEncryption: { enabled: true },
    },
    { protect: config.production },
  );
  const syncQueue = new QueueWithDlq("sync-queue", {
    queueName: `${prefix}-user-sync`,
    consumerTimeoutSeconds: SYNC_WORKER_TIMEOUT_SECONDS,
  });
  const bucketName = avatarsBucketName(context);
  const avatars = new PrivateBucket("avatars", {
    bucketName,
    noncurrentVersionDays: AVATAR_OLD_VERSION_DAYS,
    protect: config.production,
  });
  new aws.ssm.Parameter("avatars-registration", {
    name: `/cdn-bucket/${AVATARS_DIR}`,
    type: "String",
    value: avatars.bucket.bucket,
    description: "Mirrors the avatars bucket to the CDN under avatars/",
  });

  return {
    table,
    syncQueue,
    avatarsBucket: avatars.bucket,
    avatarsBucketName: bucketName,
  };
}

/** The worker on the sync queue, and the nightly resync with prune. */
export function createUserSyncFunctions(
  context: DeployContext,
  pool: {
    readonly id: pulumi.Input<string>;
    readonly arn: pulumi.Input<string>;
  },
  storage: UserSyncStorage,
): { worker: LambdaFunction; resync: LambdaFunction } {
  const { config, prefix } = context;
  const environment = userSyncEnvironment(context, pool.id, storage);
  const queue = storage.syncQueue.queue;

  const worker = new LambdaFunction("sync-worker", {
    handler: "sync-worker",
    functionName: `${prefix}-sync-worker`,
    description: "Copies one user from Cognito into the users table",
    environment,
    statements: [
      ...userSyncStatements("worker", pool.arn, storage),
      consumeQueue("SyncQueue", queue.arn),
    ],
    logRetentionDays: config.logRetentionDays,
    timeoutSeconds: SYNC_WORKER_TIMEOUT_SECONDS,
    codeDir: context.codeDir,
  });
  new aws.lambda.EventSourceMapping("sync-worker-queue", {
    functionName: worker.arn,
    eventSourceArn: queue.arn,
    batchSize: SQS_MAX_BATCH,
    functionResponseTypes: ["ReportBatchItemFailures"],
  });

  const resync = new LambdaFunction("resync", {
    handler: "resync",
    functionName: `${prefix}-resync`,
    description: "Syncs every user and prunes users Cognito no longer has",
    environment,
    statements: userSyncStatements("resync", pool.arn, storage),
    logRetentionDays: config.logRetentionDays,
    timeoutSeconds: RESYNC_TIMEOUT_SECONDS,
    memoryMb: 512,
    codeDir: context.codeDir,
  });
  scheduleResync(context, resync);

  return { worker, resync };
}

/**
 * Scheduler retries an Invoke that failed (throttled, Lambda unavailable),
 * not a resync that failed once started. An hour of retries covers a
 * passing outage; after that the event goes to the DLQ, where it says the
 * night's resync never started.
 */
const RESYNC_START_RETRY_SECONDS = 3600;
const RESYNC_START_RETRIES = 2;

function scheduleResync(context: DeployContext, resync: LambdaFunction) {
  const undelivered = createDeadLetterQueue("resync-schedule-dlq", {
    queueName: `${context.prefix}-resync-schedule-dlq`,
  });
  const role = new aws.iam.Role("resync-schedule-role", {
    description: "Lets EventBridge Scheduler start the nightly resync",
    assumeRolePolicy: assumeRolePolicy(
      "scheduler.amazonaws.com",
      context.accountId,
    ),
  });
  new aws.iam.RolePolicy("resync-schedule-policy", {
    role: role.id,
    policy: policyJson([
      {
        Sid: "InvokeResync",
        Effect: "Allow",
        Action: ["lambda:InvokeFunction"],
        Resource: [resync.arn],
      },
      // Scheduler sends to the DLQ as this role (Scheduler user guide).
      {
        Sid: "SetAsideUndeliveredResync",
        Effect: "Allow",
        Action: ["sqs:SendMessage"],
        Resource: [undelivered.arn],
      },
    ]),
  });
  new aws.scheduler.Schedule("resync-schedule", {
    name: `${context.prefix}-resync`,
    description: "Nightly full resync with prune",
    scheduleExpression: context.config.resyncSchedule,
    scheduleExpressionTimezone: "UTC",
    flexibleTimeWindow: { mode: "FLEXIBLE", maximumWindowInMinutes: 30 },
    target: {
      arn: resync.arn,
      roleArn: role.arn,
      input: JSON.stringify({ prune: true }),
      retryPolicy: {
        maximumEventAgeInSeconds: RESYNC_START_RETRY_SECONDS,
        maximumRetryAttempts: RESYNC_START_RETRIES,
      },
      deadLetterConfig: { arn: undelivered.arn },
    },
  });
}
