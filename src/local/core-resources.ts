/**
 * The local core's resources, created on the first start and found again on
 * later ones: the user pool (its ids kept in `<home>/state.json`, since
 * creating a pool is not idempotent), the users table, the registered
 * buckets and the R2 stand-in, the queues, the registry parameters (see
 * registry-record.ts) and the R2 secret. fauxqs keeps nothing, so the
 * queues are new on every start.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  type CognitoIdentityProviderClient,
  DescribeUserPoolClientCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  CreateSecretCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import type { R2Credentials } from "../aws/cdn-secret.ts";
import { type AwsClients, clientOptions } from "../aws/clients.ts";
import { isAwsError } from "../aws/errors.ts";
import {
  createBucket,
  createQueueWithDlq,
  createUserPool,
  createUsersTable,
  type UserPoolIds,
} from "./provision.ts";
import { syncRegistry } from "./registry-record.ts";

export const POOL_NAME = "core-local";
export const USERS_TABLE = "users";
export const AVATARS_DIR = "avatars";
export const AVATARS_BUCKET = "avatars";
export const R2_BUCKET = "cdn-r2";
export const SYNC_QUEUE = "user-sync";
export const CDN_QUEUE = "cdn-sync";
/** Short, so a failed record is retried within seconds while developing. */
export const VISIBILITY_TIMEOUT_SECONDS = 5;
const STATE_FILE = "state.json";

/** The R2 secret of the local core; s3rver only accepts the key `S3RVER`. */
export const LOCAL_R2_CREDENTIALS: R2Credentials = {
  accountId: "local",
  r2AccessToken: "local",
  r2AccessKeyId: "S3RVER",
  r2SecretAccessKey: "S3RVER",
};

export interface CoreResources extends UserPoolIds {
  readonly usersTable: string;
  /** Directory → bucket: the registry. */
  readonly buckets: Record<string, string>;
  readonly r2Bucket: string;
  readonly syncQueueUrl: string;
  readonly cdnQueueUrl: string;
  /** Registry parameters removed on this start: no longer configured. */
  readonly unregistered: readonly string[];
}

export interface ProvisionSettings {
  readonly home: string;
  readonly region: string;
  readonly dynamoEndpoint: string;
  /** Registered directories besides avatars. */
  readonly extraBuckets: Record<string, string>;
  readonly registryPrefix: string;
  readonly secretName: string;
}

export async function provisionCore(
  clients: AwsClients,
  settings: ProvisionSettings,
): Promise<CoreResources> {
  const buckets = { [AVATARS_DIR]: AVATARS_BUCKET, ...settings.extraBuckets };
  const dynamo = new DynamoDBClient(
    clientOptions(settings.region, settings.dynamoEndpoint),
  );
  const [pool, sync, cdn, unregistered] = await Promise.all([
    userPool(clients.cognito, settings.home),
    createQueueWithDlq(clients.sqs, SYNC_QUEUE, VISIBILITY_TIMEOUT_SECONDS),
    createQueueWithDlq(clients.sqs, CDN_QUEUE, VISIBILITY_TIMEOUT_SECONDS),
    syncRegistry(clients.ssm, {
      home: settings.home,
      prefix: settings.registryPrefix,
      buckets,
      permanentDir: AVATARS_DIR,
    }),
    createUsersTable(dynamo, USERS_TABLE).finally(() => dynamo.destroy()),
    ...[...Object.values(buckets), R2_BUCKET].map((bucket) =>
      createBucket(clients.s3, bucket),
    ),
    saveSecret(clients.secrets, settings.secretName),
  ]);

  return {
    ...pool,
    usersTable: USERS_TABLE,
    buckets,
    r2Bucket: R2_BUCKET,
    syncQueueUrl: sync.queueUrl,
    cdnQueueUrl: cdn.queueUrl,
    unregistered,
  };
}

/** The pool saved by an earlier start if cognito-local still has it. */
async function userPool(
  cognito: CognitoIdentityProviderClient,
  home: string,
): Promise<UserPoolIds> {
  const file = join(home, STATE_FILE);
  const saved = await readFile(file, "utf8")
    .then((text) => JSON.parse(text) as Partial<UserPoolIds>)
    .catch(() => undefined);
  if (saved?.userPoolId && saved.clientId) {
    const ids = { userPoolId: saved.userPoolId, clientId: saved.clientId };
    try {
      await cognito.send(
        new DescribeUserPoolClientCommand({
          UserPoolId: ids.userPoolId,
          ClientId: ids.clientId,
        }),
      );

      return ids;
    } catch (error) {
      if (!isAwsError(error, "ResourceNotFoundException")) throw error;
    }
  }

  const ids = await createUserPool(cognito, POOL_NAME);
  await writeFile(file, JSON.stringify(ids, null, 2));

  return ids;
}

async function saveSecret(
  secrets: SecretsManagerClient,
  name: string,
): Promise<void> {
  const SecretString = JSON.stringify(LOCAL_R2_CREDENTIALS);
  try {
    await secrets.send(new CreateSecretCommand({ Name: name, SecretString }));
  } catch (error) {
    if (!isAwsError(error, "ResourceExistsException")) throw error;
    await secrets.send(
      new PutSecretValueCommand({ SecretId: name, SecretString }),
    );
  }
}
