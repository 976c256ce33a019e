import { GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import {
  CreateSecretCommand,
  PutSecretValueCommand,
} from "@aws-sdk/client-secrets-manager";
import { SQSClient } from "@aws-sdk/client-sqs";
import type { SQSBatchResponse } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientOptions } from "../../src/aws/clients.ts";
import { startFauxqs } from "../../src/local/engines/fauxqs.ts";
import type { Engine } from "../../src/local/engines/types.ts";
import {
  type CdnEngines,
  R2_BUCKET,
  startCdnEngines,
} from "../support/cdn-engines.ts";
import {
  cdnS3Event,
  cdnSqsEvent,
  cdnSqsRecord,
} from "../support/cdn-events.ts";
import { createCdnTestQueue } from "../support/cdn-queue.ts";
import { grantS3rverKey, revokeS3rverKey } from "../support/cdn-r2-keys.ts";
import { cdnSyncUnderTest } from "../support/cdn-sync-deps.ts";

const BUCKET = "media-assets";
const VISIBILITY_SECONDS = 1;

let engines: CdnEngines;
let fauxqs: Engine;
let sqs: SQSClient;

beforeAll(async () => {
  engines = await startCdnEngines([BUCKET]);
  await engines.register("media", BUCKET);
  await engines.storeR2Secret();
  fauxqs = await startFauxqs();
  sqs = new SQSClient(clientOptions("us-east-1", fauxqs.endpoint));
});

afterAll(async () => {
  await fauxqs?.stop();
  await engines?.stop();
});

const put = (key: string, body: string) =>
  engines.sourceClient.send(
    new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }),
  );

async function r2Text(key: string): Promise<string | undefined> {
  try {
    const output = await engines.r2Client.send(
      new GetObjectCommand({ Bucket: R2_BUCKET, Key: `media/${key}` }),
    );
    return await output.Body?.transformToString();
  } catch (error) {
    if ((error as Error).name === "NoSuchKey") return undefined;
    throw error;
  }
}

describe("when R2 is unreachable", () => {
  it("fails the record, and the retry succeeds once R2 is back", async () => {
    const sync = cdnSyncUnderTest(engines);
    const queue = await createCdnTestQueue(
      sqs,
      "cdn-retry",
      VISIBILITY_SECONDS,
    );
    await put("retry.txt", "eventually");
    await queue.send(cdnS3Event("Object Created", BUCKET, "retry.txt"));

    engines.r2Proxy.down = true;
    const first = await queue.poll(sync.handler);
    engines.r2Proxy.down = false;

    expect(first).toEqual({ received: 1, failed: 1 });
    expect(sync.counts.get("SyncFailed")).toBe(1);
    expect(await r2Text("retry.txt")).toBeUndefined();
    expect(await queue.depth()).toBe(1);

    const second = await queue.poll(sync.handler, VISIBILITY_SECONDS + 2);

    expect(second).toEqual({ received: 1, failed: 0 });
    expect(await r2Text("retry.txt")).toBe("eventually");
    expect(await queue.depth()).toBe(0);
  });
});

describe("when R2 refuses the cached keys after a rotation", () => {
  const SECRET = "/t/rotating";
  const OLD_KEY = "R2-KEY-BEFORE-ROTATION";
  const secretWith = (r2AccessKeyId: string) =>
    JSON.stringify({
      accountId: "local",
      r2AccessToken: "local-token",
      r2AccessKeyId,
      r2SecretAccessKey: "S3RVER",
    });

  it("fails the record, drops the cached secret, and the retry signs with the new keys", async () => {
    grantS3rverKey(OLD_KEY, "S3RVER");
    await engines.secrets.send(
      new CreateSecretCommand({
        Name: SECRET,
        SecretString: secretWith(OLD_KEY),
      }),
    );
    const sync = cdnSyncUnderTest(engines, { secretName: SECRET });
    const queue = await createCdnTestQueue(
      sqs,
      "cdn-rotation",
      VISIBILITY_SECONDS,
    );
    await put("before.txt", "old keys");
    await queue.send(cdnS3Event("Object Created", BUCKET, "before.txt"));
    const warm = await queue.poll(sync.handler);

    // Rotation: the secret gets new keys and the old key id is revoked,
    // while the handler still holds the old secret in its cache.
    await engines.secrets.send(
      new PutSecretValueCommand({
        SecretId: SECRET,
        SecretString: secretWith("S3RVER"),
      }),
    );
    revokeS3rverKey(OLD_KEY);
    await put("after.txt", "new keys");
    await queue.send(cdnS3Event("Object Created", BUCKET, "after.txt"));
    const first = await queue.poll(sync.handler);
    const failure = sync.lines.find((line) => line.level === "error");
    const retry = await queue.poll(sync.handler, VISIBILITY_SECONDS + 2);

    expect(warm).toEqual({ received: 1, failed: 0 });
    expect(first).toEqual({ received: 1, failed: 1 });
    expect(failure?.attributes.error).toBe("CdnR2CredentialsRejectedError");
    expect(retry).toEqual({ received: 1, failed: 0 });
    expect(await r2Text("after.txt")).toBe("new keys");
    expect(await queue.depth()).toBe(0);
  });
});

describe("when the R2 secret is unusable", () => {
  const SECRET_VALUE = "very-secret-value";

  async function failureFor(secretName: string) {
    const sync = cdnSyncUnderTest(engines, { secretName });
    await put("secret.txt", "x");
    const response = (await sync.handler(
      cdnSqsEvent([
        cdnSqsRecord(cdnS3Event("Object Created", BUCKET, "secret.txt")),
      ]),
    )) as SQSBatchResponse;
    const line = sync.lines.find((entry) => entry.level === "error");

    expect(response.batchItemFailures).toHaveLength(1);
    expect(line?.attributes.error).toBe("CdnSecretError");
    expect(JSON.stringify(sync.lines)).not.toContain(SECRET_VALUE);

    return String(line?.attributes.reason);
  }

  it("fails the record when the secret is missing, listing the fields", async () => {
    expect(await failureFor("/core/absent")).toBe(
      "Secret /core/absent does not exist; it must be a JSON object with the fields accountId, r2AccessToken, r2AccessKeyId, r2SecretAccessKey",
    );
  });

  it("fails the record when the secret is not JSON", async () => {
    await engines.secrets.send(
      new CreateSecretCommand({
        Name: "/core/not-json",
        SecretString: `token=${SECRET_VALUE}`,
      }),
    );

    expect(await failureFor("/core/not-json")).toMatch(/is not a JSON object/);
  });

  it("fails the record when fields are missing, naming only the fields", async () => {
    await engines.secrets.send(
      new CreateSecretCommand({
        Name: "/core/partial",
        SecretString: JSON.stringify({
          accountId: "acct",
          r2AccessToken: SECRET_VALUE,
        }),
      }),
    );

    expect(await failureFor("/core/partial")).toBe(
      "Secret /core/partial lacks the fields r2AccessKeyId, r2SecretAccessKey",
    );
  });
});
