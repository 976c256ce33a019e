/**
 * Starts the real local engines for user-sync tests (cognito-local,
 * dynalite, s3rver, fauxqs) on free ports and provisions a pool, table,
 * bucket and queue shaped like production's.
 */
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  type AttributeType,
} from "@aws-sdk/client-cognito-identity-provider";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { type AwsClients, createAwsClients } from "../../src/aws/clients.ts";
import type { AwsConfig, UserSyncConfig } from "../../src/config.ts";
import { startCognitoLocal } from "../../src/local/engines/cognito-local.ts";
import { startDynalite } from "../../src/local/engines/dynalite.ts";
import { startFauxqs } from "../../src/local/engines/fauxqs.ts";
import { startS3rver } from "../../src/local/engines/s3rver.ts";
import type { Engine } from "../../src/local/engines/types.ts";
import {
  type LambdaInvokeServer,
  startLambdaInvokeServer,
} from "../../src/local/lambda-invoke-server.ts";
import {
  createBucket,
  createQueueWithDlq,
  createUserPool,
  createUsersTable,
} from "../../src/local/provision.ts";

export interface UserSyncEnv {
  readonly aws: AwsConfig;
  readonly config: UserSyncConfig;
  readonly clients: AwsClients;
  readonly userPoolId: string;
  readonly clientId: string;
  readonly issuer: string;
  readonly dlqUrl: string;
  /** Where cognito-local sends PostAuthentication (function "post-authentication"). */
  readonly lambda: LambdaInvokeServer;
  /** Creates a confirmed user and returns its sub. */
  createUser(
    email: string,
    attributes?: Record<string, string>,
  ): Promise<string>;
  stop(): Promise<void>;
}

export interface UserSyncEnvOptions {
  gravatarBaseUrl?: string;
  /** Visibility timeout of the sync queue, for redelivery tests. */
  visibilityTimeoutSeconds?: number;
}

export async function startUserSyncEnv(
  options: UserSyncEnvOptions = {},
): Promise<UserSyncEnv> {
  const directory = await mkdtemp(join(tmpdir(), "core-users-"));
  const lambda = await startLambdaInvokeServer();
  const engines: Engine[] = [lambda];
  const started = await Promise.all([
    startCognitoLocal({
      directory,
      lambdaEndpoint: lambda.endpoint,
      triggers: { PostAuthentication: "post-authentication" },
    }),
    startDynalite(),
    startS3rver({ directory: join(directory, "s3") }),
    startFauxqs(),
  ]);
  engines.push(...started);
  const [cognito, dynamo, s3, sqs] = started;

  const aws: AwsConfig = {
    AWS_REGION: "us-east-1",
    COGNITO_ENDPOINT: cognito.endpoint,
    DYNAMODB_ENDPOINT: dynamo.endpoint,
    S3_ENDPOINT: s3.endpoint,
    SQS_ENDPOINT: sqs.endpoint,
  };
  const clients = createAwsClients(aws);
  const suffix = randomUUID().slice(0, 8);
  const { userPoolId, clientId } = await createUserPool(
    clients.cognito,
    `test-${suffix}`,
  );
  const tableName = `users-${suffix}`;
  const rawDynamo = new DynamoDBClient({
    region: aws.AWS_REGION,
    endpoint: dynamo.endpoint,
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  await createUsersTable(rawDynamo, tableName);
  rawDynamo.destroy();
  const bucket = `avatars-${suffix}`;
  await createBucket(clients.s3, bucket);
  const { queueUrl, dlqUrl } = await createQueueWithDlq(
    clients.sqs,
    `sync-${suffix}`,
    options.visibilityTimeoutSeconds ?? 30,
  );

  const config: UserSyncConfig = {
    USER_POOL_ID: userPoolId,
    USERS_TABLE: tableName,
    SYNC_QUEUE_URL: queueUrl,
    AVATARS_BUCKET: bucket,
    CDN_BASE_URL: "https://cdn.example.test",
    GRAVATAR_BASE_URL: options.gravatarBaseUrl ?? "http://127.0.0.1:9",
    GRAVATAR_SIZE: 200,
    GRAVATAR_TIMEOUT_MS: 2000,
    SYNC_MIN_INTERVAL_SECONDS: 10,
  };

  async function createUser(
    email: string,
    attributes: Record<string, string> = {},
  ): Promise<string> {
    const userAttributes: AttributeType[] = Object.entries({
      email,
      email_verified: "true",
      ...attributes,
    }).map(([Name, Value]) => ({ Name, Value }));
    const { User } = await clients.cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: userPoolId,
        Username: email,
        UserAttributes: userAttributes,
        MessageAction: "SUPPRESS",
      }),
    );
    await clients.cognito.send(
      new AdminSetUserPasswordCommand({
        UserPoolId: userPoolId,
        Username: User?.Username,
        Password: "Correct-horse-9",
        Permanent: true,
      }),
    );

    return User?.Attributes?.find((a) => a.Name === "sub")?.Value ?? "";
  }

  return {
    aws,
    config,
    clients,
    userPoolId,
    clientId,
    issuer: `${cognito.endpoint}/${userPoolId}`,
    dlqUrl,
    lambda,
    createUser,
    stop: async () => {
      await Promise.all(engines.map((engine) => engine.stop()));
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/** Adds the user (by sub, which is the username here) to `group`. */
export async function addToGroup(
  env: UserSyncEnv,
  userId: string,
  group: string,
): Promise<void> {
  await env.clients.cognito.send(
    new AdminAddUserToGroupCommand({
      UserPoolId: env.userPoolId,
      Username: userId,
      GroupName: group,
    }),
  );
}
