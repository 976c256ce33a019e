import { GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { CreateSecretCommand } from "@aws-sdk/client-secrets-manager";
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
