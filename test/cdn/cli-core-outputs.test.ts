/**
 * `core cdn` against AWS reads what the environment leaves unset from the
 * stack's `/core/` outputs in SSM, here the local SSM engine.
 */

import { PutObjectCommand } from "@aws-sdk/client-s3";
import {
  CreateQueueCommand,
  ReceiveMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import {
  DeleteParameterCommand,
  PutParameterCommand,
} from "@aws-sdk/client-ssm";
import { Command } from "commander";
import {
  afterAll,
  afterEach,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it,
  vi,
} from "vitest";
import { clientOptions } from "../../src/aws/clients.ts";
import { registerBackfillCommands } from "../../src/cli/cdn-backfill.ts";
import {
  remoteBackfillConfig,
  withCdnOutputs,
} from "../../src/cli/cdn-target.ts";
import { ConfigError } from "../../src/config.ts";
import { startFauxqs } from "../../src/local/engines/fauxqs.ts";
import type { Engine } from "../../src/local/engines/types.ts";
import {
  type CdnEngines,
  R2_BUCKET,
  startCdnEngines,
} from "../support/cdn-engines.ts";
import { startFakeCloudflare } from "../support/cdn-fake-cloudflare.ts";
import { putObjects } from "./backfill-fixture.ts";

/** Variables these tests set or expect unset; restored after each. */
const VARIABLES = [
  "CDN_R2_BUCKET",
  "CDN_BASE_URL",
  "CDN_BACKFILL_QUEUE_URL",
  "SSM_ENDPOINT",
  "SQS_ENDPOINT",
  "CLOUDFLARE_ZONE_ID",
  "CLOUDFLARE_API_TOKEN",
  "CLOUDFLARE_API_BASE_URL",
] as const;

let engines: CdnEngines;
let fauxqs: Engine;
let sqs: SQSClient;
let pageQueue: string;
let saved: Record<string, string | undefined>;
let output: string[];

beforeAll(async () => {
  engines = await startCdnEngines(["covers-src"]);
  fauxqs = await startFauxqs();
  sqs = new SQSClient(clientOptions("us-east-1", fauxqs.endpoint));
  const created = await sqs.send(
    new CreateQueueCommand({
      QueueName: "cdn-backfill.fifo",
      Attributes: { FifoQueue: "true" },
    }),
  );
  pageQueue = created.QueueUrl ?? "";
  await engines.register("covers", "covers-src");
  await engines.storeR2Secret();
  await putObjects(engines.sourceClient, "covers-src", 3);
});
afterAll(async () => {
  await Promise.all([engines?.stop(), fauxqs?.stop()]);
});
beforeEach(() => {
  saved = Object.fromEntries(
    VARIABLES.map((name) => [name, process.env[name]]),
  );
  for (const name of VARIABLES) delete process.env[name];
  output = [];
  vi.spyOn(console, "log").mockImplementation((line: string) => {
    output.push(line);
  });
  process.exitCode = undefined;
});
afterEach(async () => {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  vi.restoreAllMocks();
  process.exitCode = undefined;
  for (const Name of [
    "/core/cdn-r2-bucket",
    "/core/cdn-domain",
    "/core/cdn-backfill-queue-url",
  ]) {
    await engines.ssm
      .send(new DeleteParameterCommand({ Name }))
      .catch(() => undefined);
  }
});

const putOutput = (Name: string, Value: string) =>
  engines.ssm.send(
    new PutParameterCommand({ Name, Value, Type: "String", Overwrite: true }),
  );

/** Runs `core cdn <args>` with the AWS loader; resolves to the exit code. */
async function core(...args: string[]): Promise<number> {
  const program = new Command("core").exitOverride();
  registerBackfillCommands(program.command("cdn"));
  await program.parseAsync(["cdn", ...args], { from: "user" });

  return Number(process.exitCode ?? 0);
}

/** Endpoint options that put every service but SQS on the engines. */
function engineOptions(): string[] {
  return [
    "--ssm-endpoint",
    engines.ssmSecrets.endpoint,
    "--secrets-endpoint",
    engines.ssmSecrets.endpoint,
    "--s3-endpoint",
    engines.source.endpoint,
    "--r2-endpoint",
    engines.r2Proxy.endpoint,
  ];
}

describe("configuration from the /core/ outputs", () => {
  it("fills each unset variable from its parameter", async () => {
    await putOutput("/core/cdn-r2-bucket", "cdn-prod");
    await putOutput("/core/cdn-domain", "cdn.example.org");
    await putOutput("/core/cdn-backfill-queue-url", pageQueue);

    const env = await withCdnOutputs(engines.ssm, { KEEP: "me" }, [
      "CDN_R2_BUCKET",
      "CDN_BASE_URL",
      "CDN_BACKFILL_QUEUE_URL",
    ]);

    expect(env).toEqual({
      KEEP: "me",
      CDN_R2_BUCKET: "cdn-prod",
      CDN_BASE_URL: "https://cdn.example.org",
      CDN_BACKFILL_QUEUE_URL: pageQueue,
    });
  });

  it("lets a variable that is set win over its parameter", async () => {
    await putOutput("/core/cdn-r2-bucket", "cdn-prod");

    const env = await withCdnOutputs(
      engines.ssm,
      { CDN_R2_BUCKET: "cdn-staging" },
      ["CDN_R2_BUCKET"],
    );

    expect(env.CDN_R2_BUCKET).toBe("cdn-staging");
  });

  it("names the parameter and the variable when the parameter is missing", async () => {
    await putOutput("/core/cdn-domain", "cdn.example.org");

    const filling = withCdnOutputs(engines.ssm, {}, [
      "CDN_R2_BUCKET",
      "CDN_BASE_URL",
    ]);

    await expect(filling).rejects.toBeInstanceOf(ConfigError);
    await expect(filling).rejects.toThrow(
      "CDN_R2_BUCKET is not set and the SSM parameter /core/cdn-r2-bucket does not exist",
    );
    await expect(filling).rejects.not.toThrow(/cdn-domain/);
  });

  it("needs only the queue URL and the registry prefix for --remote", () => {
    const config = remoteBackfillConfig({ CDN_BACKFILL_QUEUE_URL: pageQueue });

    expect(config).toEqual({
      registryPrefix: "/cdn-bucket/",
      queueUrl: pageQueue,
    });
    expect(() =>
      remoteBackfillConfig({ CDN_BACKFILL_QUEUE_URL: "sqs/queue" }),
    ).toThrow(/CDN_BACKFILL_QUEUE_URL must be an http\(s\) URL/);
  });
});

describe("core cdn against AWS, with the outputs in SSM", () => {
  it("backfills and verifies with the R2 bucket and CDN domain from SSM", async () => {
    await putOutput("/core/cdn-r2-bucket", R2_BUCKET);
    await putOutput("/core/cdn-domain", "cdn.example.org");

    const copied = await core("backfill", ...engineOptions());
    const verified = await core("verify", ...engineOptions());

    expect(copied).toBe(0);
    expect(verified).toBe(0);
    expect(output).toContain("covers (covers-src): 3 same, 0 differences");
  });

  it("backfill purges what it overwrote when a zone and token are set", async () => {
    const cloudflare = await startFakeCloudflare();
    process.env.CLOUDFLARE_ZONE_ID = "zone-cli";
    process.env.CLOUDFLARE_API_TOKEN = "purge-token";
    process.env.CLOUDFLARE_API_BASE_URL = cloudflare.baseUrl;
    await putOutput("/core/cdn-r2-bucket", R2_BUCKET);
    await putOutput("/core/cdn-domain", "cdn.example.org");
    await core("backfill", ...engineOptions());
    await engines.sourceClient.send(
      new PutObjectCommand({
        Bucket: "covers-src",
        Key: "item-2.txt",
        Body: "a longer body than before",
      }),
    );

    const code = await core("backfill", ...engineOptions());
    await cloudflare.stop();

    expect(code).toBe(0);
    expect(cloudflare.calls).toEqual([
      expect.objectContaining({
        path: "/client/v4/zones/zone-cli/purge_cache",
        files: ["https://cdn.example.org/covers/item-2.txt"],
      }),
    ]);
    expect(output).toContain(
      "covers: purged 1 CDN URLs (first https://cdn.example.org/covers/item-2.txt)",
    );
  });

  it("backfill without the R2 bucket anywhere names what to set", async () => {
    await putOutput("/core/cdn-domain", "cdn.example.org");

    const run = core("backfill", ...engineOptions());

    await expect(run).rejects.toThrow(
      /CDN_R2_BUCKET is not set and the SSM parameter \/core\/cdn-r2-bucket does not exist/,
    );
  });

  it("--remote queues the first page with only the queue URL in SSM", async () => {
    process.env.SSM_ENDPOINT = engines.ssmSecrets.endpoint;
    process.env.SQS_ENDPOINT = fauxqs.endpoint;
    await putOutput("/core/cdn-backfill-queue-url", pageQueue);

    const code = await core("backfill", "--remote", "--dir", "covers");
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: pageQueue, WaitTimeSeconds: 1 }),
    );

    expect(code).toBe(0);
    expect(output[0]).toMatch(/^covers: backfill of covers-src queued/);
    expect(JSON.parse(Messages[0]?.Body ?? "{}")).toMatchObject({
      kind: "cdn-backfill-page",
      dir: "covers",
      bucket: "covers-src",
    });
  });

  it.each([
    ["--dry-run"],
    ["--delete", "--max-delete", "5"],
    ["--force-delete"],
    ["--concurrency", "4"],
  ])(
    "--remote with %s is refused before anything is queued",
    async (...flags) => {
      const queue = await sqs.send(
        new CreateQueueCommand({
          QueueName: `refused-${flags[0]?.slice(2)}.fifo`,
          Attributes: { FifoQueue: "true" },
        }),
      );
      process.env.SSM_ENDPOINT = engines.ssmSecrets.endpoint;
      process.env.SQS_ENDPOINT = fauxqs.endpoint;
      await putOutput("/core/cdn-backfill-queue-url", queue.QueueUrl ?? "");
      const named = flags.filter((flag) => flag.startsWith("--"));

      const run = core("backfill", "--remote", ...flags);

      await expect(run).rejects.toMatchObject({
        exitCode: 1,
        message: expect.stringContaining("Run without --remote"),
      });
      await expect(run).rejects.toThrow(
        `--remote cannot be combined with ${named.join(", ")}:`,
      );
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queue.QueueUrl,
          WaitTimeSeconds: 1,
        }),
      );
      expect(Messages).toEqual([]);
    },
  );

  it("--remote without a queue URL names the parameter and the variable", async () => {
    process.env.SSM_ENDPOINT = engines.ssmSecrets.endpoint;

    const run = core("backfill", "--remote");

    await expect(run).rejects.toThrow(
      /CDN_BACKFILL_QUEUE_URL is not set and the SSM parameter \/core\/cdn-backfill-queue-url does not exist/,
    );
  });
});
