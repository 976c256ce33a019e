/**
 * Where `core users ...` points: AWS by default (the default credential
 * chain, with names read from the `/core/` outputs in SSM unless set in the
 * environment), or the running local core with `--local`.
 */
import {
  GetParameterCommand,
  ParameterNotFound,
  SSMClient,
} from "@aws-sdk/client-ssm";
import { clientOptions } from "../aws/client-options.ts";
import {
  type AwsConfig,
  awsConfig,
  ConfigError,
  localConfig,
  type UserSyncConfig,
  userSyncConfig,
} from "../config.ts";
import { readEndpointsFile } from "../local/endpoints-file.ts";

export interface UserSyncTarget {
  readonly aws: AwsConfig;
  readonly config: UserSyncConfig;
}

type Env = Record<string, string | undefined>;

/** SSM parameter → the variable it stands in for when that is unset. */
const OUTPUTS: Record<string, string> = {
  "/core/cognito-pool-id": "USER_POOL_ID",
  "/core/users-table": "USERS_TABLE",
  "/core/sync-queue-url": "SYNC_QUEUE_URL",
  "/cdn-bucket/avatars": "AVATARS_BUCKET",
  "/core/cdn-domain": "CDN_BASE_URL",
};

/** The target's settings, read from `env` (the process's by default). */
export async function userSyncTarget(
  local: boolean,
  env: Env = process.env,
): Promise<UserSyncTarget> {
  return local ? localTarget(env) : awsTarget(env);
}

async function localTarget(env: Env): Promise<UserSyncTarget> {
  const endpoints = await readEndpointsFile(localConfig(env).CORE_HOME);
  const aws: AwsConfig = {
    AWS_REGION: endpoints.region,
    COGNITO_ENDPOINT: endpoints.cognito.endpoint,
    DYNAMODB_ENDPOINT: endpoints.dynamodb.endpoint,
    S3_ENDPOINT: endpoints.s3.endpoint,
    SQS_ENDPOINT: endpoints.sqs.endpoint,
  };
  const config = userSyncConfig({
    ...env,
    USER_POOL_ID: endpoints.cognito.userPoolId,
    USERS_TABLE: endpoints.dynamodb.usersTable,
    SYNC_QUEUE_URL: endpoints.sqs.syncQueueUrl,
    AVATARS_BUCKET: endpoints.s3.buckets.avatars,
    CDN_BASE_URL: endpoints.cdn,
  });

  return { aws, config };
}

async function awsTarget(env: Env): Promise<UserSyncTarget> {
  const aws = awsConfig(env);
  const missing = Object.entries(OUTPUTS).filter(
    ([, variable]) => !env[variable],
  );
  if (missing.length === 0) return { aws, config: userSyncConfig(env) };

  // The shared options honour SSM_ENDPOINT, e.g. the local core's engine.
  const ssm = new SSMClient(clientOptions(aws.AWS_REGION, aws.SSM_ENDPOINT));
  const filled: Env = { ...env };
  const absent: string[] = [];
  try {
    // One GetParameter each, not GetParameters: the local SSM engine
    // serves only the former, and five calls cost nothing for a CLI.
    await Promise.all(
      missing.map(async ([name, variable]) => {
        const value = await parameterValue(ssm, name);
        if (value === undefined) {
          absent.push(`${variable} is not set and SSM has no ${name}`);
        } else {
          filled[variable] =
            variable === "CDN_BASE_URL" ? `https://${value}` : value;
        }
      }),
    );
  } finally {
    ssm.destroy();
  }
  if (absent.length > 0) throw new ConfigError(absent.sort());

  return { aws, config: userSyncConfig(filled) };
}

/** The parameter's value, or undefined if it does not exist. */
async function parameterValue(
  ssm: SSMClient,
  name: string,
): Promise<string | undefined> {
  try {
    const { Parameter } = await ssm.send(
      new GetParameterCommand({ Name: name }),
    );

    return Parameter?.Value || undefined;
  } catch (error) {
    if (error instanceof ParameterNotFound) return undefined;
    throw error;
  }
}
