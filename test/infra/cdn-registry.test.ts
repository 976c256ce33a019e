/**
 * The CDN part of the program: the registry it reads at deploy time, and
 * the policy and rule that registries of 0, 1 and 3 buckets produce.
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, test } from "vitest";
import {
  createCdn,
  SYNC_IDLE_RSS_MIB,
  SYNC_LARGE_COPY_RSS_MIB,
} from "../../infra/cdn.ts";
import { readRegistry } from "../../infra/cdn-access.ts";
import { parseStackConfig } from "../../infra/config.ts";
import type { DeployContext } from "../../infra/context.ts";
import { CdnRegistryError } from "../../src/cdn/errors.ts";
import type { Registry } from "../../src/cdn/types.ts";
import {
  ACCOUNT_ID,
  exampleConfigValues,
  installMocks,
  named,
  ofType,
  policyOf,
  REGION,
  type Recorded,
  settle,
} from "./pulumi-harness.ts";

const arnOf = (service: string, resource: string) =>
  `arn:aws:${service}:${REGION}:${ACCOUNT_ID}:${resource}`;

const entry = (dir: string, bucket: string) => ({
  dir,
  bucket,
  parameter: `/cdn-bucket/${dir}`,
});
const REGISTRIES: Record<string, Registry> = {
  none: [],
  one: [entry("avatars", "avatars-bucket")],
  three: [
    entry("anime/covers", "anime-covers"),
    entry("avatars", "avatars-bucket"),
    entry("manga", "manga-pages"),
  ],
};

let recorded: Recorded[];

beforeAll(async () => {
  recorded = await installMocks({
    registry: [
      { name: "/cdn-bucket/avatars", value: "stale-avatars-name" },
      { name: "/cdn-bucket/manga", value: "manga-pages" },
    ],
  });
  const context: DeployContext = {
    config: parseStackConfig(exampleConfigValues()),
    accountId: ACCOUNT_ID,
    region: REGION,
    prefix: "core-dev",
    zone: { domain: "example.com", zoneId: pulumi.output("zone-id") },
    codeDir: "dist",
  };
  for (const [name, registry] of Object.entries(REGISTRIES)) {
    createCdn(name, context, registry);
  }
  await settle();
});

/** EventBridge may send to `queue` on behalf of the CDN rule alone. */
const sendFromCdnRule = (sid: string, queue: string) => ({
  Sid: sid,
  Effect: "Allow",
  Principal: { Service: "events.amazonaws.com" },
  Action: "sqs:SendMessage",
  Resource: arnOf("sqs", queue),
  Condition: {
    ArnEquals: {
      "aws:SourceArn": arnOf("events", "rule/core-dev-cdn-objects"),
    },
  },
});

const syncStatements = (name: string) =>
  policyOf(named(recorded, `${name}-sync-policy`).inputs.policy).Statement;
const rulesOf = (name: string) =>
  ofType(recorded, "aws:cloudwatch/eventRule:EventRule").filter(
    (rule) => rule.name === `${name}-rule`,
  );

describe("registry read at deploy time", () => {
  test("adds this stack's avatars bucket, replacing what SSM holds for it", async () => {
    const registry = await readRegistry("core-dev-avatars-bucket");

    expect(registry).toEqual([
      entry("avatars", "core-dev-avatars-bucket"),
      entry("manga", "manga-pages"),
    ]);
  });

  test("refuses a bad registration, naming its parameter", async () => {
    await installMocks({
      registry: [{ name: "/cdn-bucket/Bad Dir", value: "some-bucket" }],
    });

    await expect(readRegistry("avatars-bucket")).rejects.toThrow(
      CdnRegistryError,
    );
    await expect(readRegistry("avatars-bucket")).rejects.toThrow(
      "/cdn-bucket/Bad Dir",
    );
  });
});

describe("policy and rule generated from the registry", () => {
  test("an empty registry grants no bucket access and creates no rule", () => {
    const sids = syncStatements("none").map((statement) => statement.Sid);

    expect(sids).not.toContain("ReadRegisteredObjects");
    expect(sids).not.toContain("ListRegisteredBuckets");
    expect(rulesOf("none")).toEqual([]);
    expect(() => named(recorded, "none-queue-policy")).toThrow();
    expect(() => named(recorded, "none-dlq-policy")).toThrow();
  });

  test("one bucket: read access to it alone, and a rule for it", () => {
    const [read, list] = syncStatements("one");

    expect(read).toEqual({
      Sid: "ReadRegisteredObjects",
      Effect: "Allow",
      Action: ["s3:GetObject"],
      Resource: ["arn:aws:s3:::avatars-bucket/*"],
    });
    expect(list?.Resource).toEqual(["arn:aws:s3:::avatars-bucket"]);
    expect(JSON.parse(rulesOf("one")[0]?.inputs.eventPattern)).toEqual({
      source: ["aws.s3"],
      "detail-type": ["Object Created", "Object Deleted"],
      detail: { bucket: { name: ["avatars-bucket"] } },
    });
  });

  test("three buckets: all three in the policy and in the rule", () => {
    const buckets = ["anime-covers", "avatars-bucket", "manga-pages"];
    const [read, list] = syncStatements("three");

    expect(read?.Resource).toEqual(buckets.map((b) => `arn:aws:s3:::${b}/*`));
    expect(list?.Resource).toEqual(buckets.map((b) => `arn:aws:s3:::${b}`));
    const pattern = JSON.parse(rulesOf("three")[0]?.inputs.eventPattern);
    expect(pattern.detail.bucket.name).toEqual(buckets);
  });

  test("the rule feeds the CDN queue, which accepts messages from that rule only", () => {
    expect(named(recorded, "three-rule-target").inputs).toMatchObject({
      rule: "core-dev-cdn-objects",
      arn: arnOf("sqs", "core-dev-cdn-sync"),
    });
    expect(
      policyOf(named(recorded, "three-queue-policy").inputs.policy),
    ).toEqual({
      Version: "2012-10-17",
      Statement: [sendFromCdnRule("FromCdnRule", "core-dev-cdn-sync")],
    });
  });

  test("events the rule cannot deliver are retried for a day, then kept in the CDN queue's DLQ", () => {
    expect(named(recorded, "three-rule-target").inputs).toMatchObject({
      retryPolicy: {
        maximumEventAgeInSeconds: 86_400,
        maximumRetryAttempts: 185,
      },
      deadLetterConfig: { arn: arnOf("sqs", "core-dev-cdn-sync-dlq") },
    });
    const policy = named(recorded, "three-dlq-policy").inputs;
    expect(policy.queueUrl).toMatch(/\/core-dev-cdn-sync-dlq$/);
    expect(policyOf(policy.policy)).toEqual({
      Version: "2012-10-17",
      Statement: [
        sendFromCdnRule("UndeliveredFromCdnRule", "core-dev-cdn-sync-dlq"),
      ],
    });
  });
});

describe("CDN functions and Cloudflare", () => {
  test("the sync may read the R2 secret and nothing else of Secrets Manager", () => {
    const secrets = syncStatements("one").filter((statement) =>
      [statement.Action].flat().some((a) => a.startsWith("secretsmanager:")),
    );

    expect(secrets).toEqual([
      {
        Sid: "ReadR2Secret",
        Effect: "Allow",
        Action: ["secretsmanager:GetSecretValue"],
        Resource: [arnOf("secretsmanager", "secret:/core/cloudflare-cdn-*")],
      },
    ]);
  });

  test("the sync consumes the CDN queue reporting batch item failures", () => {
    expect(named(recorded, "one-sync-queue").inputs).toMatchObject({
      functionName: arnOf("lambda", "function:core-dev-cdn-sync"),
      eventSourceArn: arnOf("sqs", "core-dev-cdn-sync"),
      functionResponseTypes: ["ReportBatchItemFailures"],
    });
    expect(
      named(recorded, "one-sync-function").inputs.environment.variables,
    ).toMatchObject({
      CDN_R2_BUCKET: "core-dev-cdn",
      CDN_QUEUE_URL: expect.stringMatching(/core-dev-cdn-sync$/),
      CDN_BASE_URL: "https://cdn.example.com",
      CDN_SECRET_NAME: "/core/cloudflare-cdn",
      CDN_REGISTRY_PREFIX: "/cdn-bucket/",
    });
  });

  test("a batch of 10 large copies fits the sync's memory with a third to spare", () => {
    const batchSize = named(recorded, "one-sync-queue").inputs.batchSize;
    const memoryMb = named(recorded, "one-sync-function").inputs.memorySize;
    const needed = SYNC_IDLE_RSS_MIB + batchSize * SYNC_LARGE_COPY_RSS_MIB;

    expect(batchSize).toBe(10);
    expect(memoryMb).toBe(2048);
    expect(needed).toBeLessThanOrEqual((memoryMb * 2) / 3);
  });

  test("the backfill pages through its FIFO queue and feeds the CDN queue, without the secret", () => {
    const statements = policyOf(
      named(recorded, "one-backfill-page-policy").inputs.policy,
    ).Statement;
    const actions = statements.flatMap((statement) =>
      [statement.Action].flat(),
    );

    expect(actions).not.toContain("secretsmanager:GetSecretValue");
    expect(statements).toContainEqual({
      Sid: "EnqueueMirrorAndNextPage",
      Effect: "Allow",
      Action: ["sqs:SendMessage"],
      Resource: [
        arnOf("sqs", "core-dev-cdn-sync"),
        arnOf("sqs", "core-dev-cdn-backfill.fifo"),
      ],
    });
    expect(named(recorded, "one-backfill-queue").inputs).toMatchObject({
      fifoQueue: true,
      name: "core-dev-cdn-backfill.fifo",
    });
    expect(
      named(recorded, "one-backfill-page-function").inputs.environment.variables
        .CDN_BACKFILL_QUEUE_URL,
    ).toMatch(/core-dev-cdn-backfill\.fifo$/);
  });

  test("R2 serves cdn.<domain> with a cache rule for that host", () => {
    expect(named(recorded, "one-r2").inputs).toEqual({
      accountId: "0123456789abcdef0123456789abcdef",
      name: "core-dev-cdn",
    });
    expect(named(recorded, "one-domain").inputs).toEqual({
      accountId: "0123456789abcdef0123456789abcdef",
      bucketName: "core-dev-cdn",
      domain: "cdn.example.com",
      zoneId: "zone-id",
      enabled: true,
      minTls: "1.2",
    });
    const ruleset = named(recorded, "one-cache-rules").inputs;
    expect(ruleset).toMatchObject({
      zoneId: "zone-id",
      kind: "zone",
      phase: "http_request_cache_settings",
    });
    expect(ruleset.rules).toEqual([
      expect.objectContaining({
        expression: '(http.host eq "cdn.example.com")',
        action: "set_cache_settings",
        actionParameters: { cache: true, edgeTtl: { mode: "respect_origin" } },
      }),
    ]);
  });
});
