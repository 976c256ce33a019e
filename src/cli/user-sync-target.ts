/**
 * Where `core users ...` points: AWS by default (the default credential
 * chain, with names read from the `/core/` outputs in SSM unless set in the
 * environment), or the running local core with `--local`.
 */
import { GetParametersCommand, SSMClient } from "@aws-sdk/client-ssm";
import {
  type AwsConfig,
  awsConfig,
  localConfig,
  type UserSyncConfig,
  userSyncConfig,
} from "../config.ts";
import { readEndpointsFile } from "../local/endpoints-file.ts";

export interface UserSyncTarget {
  readonly aws: AwsConfig;
  readonly config: UserSyncConfig;
}

/** SSM parameter → the variable it stands in for when that is unset. */
const OUTPUTS: Record<string, string> = {
  "/core/cognito-pool-id": "USER_POOL_ID",
  "/core/users-table": "USERS_TABLE",
  "/core/sync-queue-url": "SYNC_QUEUE_URL",
  "/cdn-bucket/avatars": "AVATARS_BUCKET",
  "/core/cdn-domain": "CDN_BASE_URL",
};

export async function userSyncTarget(local: boolean): Promise<UserSyncTarget> {
  return local ? localTarget() : awsTarget();
}

async function localTarget(): Promise<UserSyncTarget> {
  const endpoints = await readEndpointsFile(localConfig().CORE_HOME);
  const aws: AwsConfig = {
    AWS_REGION: endpoints.region,
    COGNITO_ENDPOINT: endpoints.cognito.endpoint,
    DYNAMODB_ENDPOINT: endpoints.dynamodb.endpoint,
    S3_ENDPOINT: endpoints.s3.endpoint,
    SQS_ENDPOINT: endpoints.sqs.endpoint,
  };
  const config = userSyncConfig({
    ...process.env,
    USER_POOL_ID: endpoints.cognito.userPoolId,
    USERS_TABLE: endpoints.dynamodb.usersTable,
    SYNC_QUEUE_URL: endpoints.sqs.syncQueueUrl,
    AVATARS_BUCKET: endpoints.s3.buckets.avatars,
    CDN_BASE_URL: endpoints.cdn,
  });

  return { aws, config };
}

async function awsTarget(): Promise<UserSyncTarget> {
  const aws = awsConfig();
  const missing = Object.entries(OUTPUTS).filter(
    ([, variable]) => !process.env[variable],
  );
  const env: Record<string, string | undefined> = { ...process.env };
  if (missing.length > 0) {
    const ssm = new SSMClient({ region: aws.AWS_REGION });
    const { Parameters = [] } = await ssm.send(
      new GetParametersCommand({ Names: missing.map(([name]) => name) }),
    );
    for (const { Name, Value } of Parameters) {
      const variable = OUTPUTS[Name ?? ""];
      if (!variable || !Value) continue;
      env[variable] = variable === "CDN_BASE_URL" ? `https://${Value}` : Value;
    }
  }

  return { aws, config: userSyncConfig(env) };
}
