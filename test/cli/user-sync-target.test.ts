/**
 * `core users` without `--local`: names missing from the environment come
 * from the `/core/` outputs in SSM, reached at SSM_ENDPOINT when it is set
 * (here the local SSM engine).
 */
import { PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientOptions } from "../../src/aws/client-options.ts";
import { userSyncTarget } from "../../src/cli/user-sync-target.ts";
import { ConfigError } from "../../src/config.ts";
import { startSsmSecrets } from "../../src/local/engines/ssm-secrets.ts";
import type { Engine } from "../../src/local/engines/types.ts";

let engine: Engine;

beforeAll(async () => {
  engine = await startSsmSecrets();
  const ssm = new SSMClient(clientOptions("us-east-1", engine.endpoint));
  const outputs = {
    "/core/cognito-pool-id": "us-east-1_pool",
    "/core/users-table": "users-from-ssm",
    "/core/sync-queue-url": "https://sqs.us-east-1.amazonaws.com/1/sync",
    "/core/cdn-domain": "cdn.example.test",
  };
  for (const [Name, Value] of Object.entries(outputs)) {
    await ssm.send(new PutParameterCommand({ Name, Value, Type: "String" }));
  }
  ssm.destroy();
});

afterAll(async () => {
  await engine?.stop();
});

describe("the AWS target of core users", () => {
  it("reads unset names from SSM at SSM_ENDPOINT, and the environment wins", async () => {
    const target = await userSyncTarget(false, {
      AWS_REGION: "us-east-1",
      SSM_ENDPOINT: engine.endpoint,
      USERS_TABLE: "users-from-env",
      AVATARS_BUCKET: "avatars-from-env",
    });

    expect(target.aws.SSM_ENDPOINT).toBe(engine.endpoint);
    expect(target.config).toMatchObject({
      USER_POOL_ID: "us-east-1_pool",
      USERS_TABLE: "users-from-env",
      SYNC_QUEUE_URL: "https://sqs.us-east-1.amazonaws.com/1/sync",
      AVATARS_BUCKET: "avatars-from-env",
      CDN_BASE_URL: "https://cdn.example.test",
    });
  });

  it("names the variable and the SSM parameter when neither is there", async () => {
    const target = userSyncTarget(false, {
      AWS_REGION: "us-east-1",
      SSM_ENDPOINT: engine.endpoint,
    });

    await expect(target).rejects.toBeInstanceOf(ConfigError);
    await expect(target).rejects.toThrow(
      "AVATARS_BUCKET is not set and SSM has no /cdn-bucket/avatars",
    );
  });
});
