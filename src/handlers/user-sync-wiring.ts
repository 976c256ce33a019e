/**
 * Builds user sync and its adapters from configuration: the one place the
 * handlers, the HTTP app and the CLI share.
 */
import {
  type AwsClients,
  BACKGROUND_CALL_LIMITS,
  type CallLimits,
  cognitoClient,
  dynamoClient,
  s3Client,
  sqsClient,
} from "../aws/clients.ts";
import { CognitoDirectory } from "../aws/cognito-directory.ts";
import { DynamoUserStore } from "../aws/dynamo-user-store.ts";
import { S3AvatarStore } from "../aws/s3-avatar-store.ts";
import { SqsSyncQueue } from "../aws/sqs-sync-queue.ts";
import {
  type AwsConfig,
  awsConfig,
  type UserSyncConfig,
  userSyncConfig,
} from "../config.ts";
import { GravatarClient } from "../gravatar/gravatar-client.ts";
import { AvatarCache } from "../users/avatar-cache.ts";
import { UserSync } from "../users/sync-user.ts";

export interface UserSyncWiring {
  readonly sync: UserSync;
  readonly directory: CognitoDirectory;
  readonly store: DynamoUserStore;
  readonly queue: SqsSyncQueue;
  readonly avatars: AvatarCache;
  readonly clients: UserSyncClients;
}

/** The SDK clients user sync uses; bundles leave out the rest. */
export type UserSyncClients = Pick<
  AwsClients,
  "cognito" | "dynamo" | "s3" | "sqs"
>;

/**
 * The clients, with `limits` on how long each call may wait (S3 here only
 * stores avatars of at most 1 MiB): the background limits suit the worker
 * and the resync; the HTTP API passes the interactive ones.
 */
export function userSyncClients(
  aws: AwsConfig,
  limits: CallLimits = BACKGROUND_CALL_LIMITS,
): UserSyncClients {
  return {
    cognito: cognitoClient(aws, limits),
    dynamo: dynamoClient(aws, limits),
    s3: s3Client(aws, limits),
    sqs: sqsClient(aws, limits),
  };
}

export function wireUserSync(
  config: UserSyncConfig = userSyncConfig(),
  aws: AwsConfig = awsConfig(),
  clients: UserSyncClients = userSyncClients(aws),
): UserSyncWiring {
  const directory = new CognitoDirectory(clients.cognito, config.USER_POOL_ID);
  const store = new DynamoUserStore(clients.dynamo, config.USERS_TABLE);
  const queue = new SqsSyncQueue(clients.sqs, config.SYNC_QUEUE_URL);
  const avatars = new AvatarCache({
    store: new S3AvatarStore({
      client: clients.s3,
      bucket: config.AVATARS_BUCKET,
    }),
    gravatar: new GravatarClient({
      baseUrl: config.GRAVATAR_BASE_URL,
      size: config.GRAVATAR_SIZE,
      timeoutMs: config.GRAVATAR_TIMEOUT_MS,
    }),
    cdnBaseUrl: config.CDN_BASE_URL,
  });
  const sync = new UserSync({ directory, store, avatars });

  return { sync, directory, store, queue, avatars, clients };
}
