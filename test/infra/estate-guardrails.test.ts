/**
 * Rules that hold across the whole estate, checked on every resource the
 * program declares for the example stack.
 */
import { beforeAll, describe, expect, test } from "vitest";
import { WILDCARD_RESOURCE_ACTIONS } from "../../infra/iam.ts";
import {
  listOf,
  ofType,
  type PolicyDocument,
  policyOf,
  type Recorded,
} from "./pulumi-harness.ts";
import { runCore } from "./run-core.ts";

let recorded: Recorded[];
let retention: number;

beforeAll(async () => {
  const run = await runCore({
    registry: [{ name: "/cdn-bucket/anime/covers", value: "anime-covers" }],
  });
  recorded = run.recorded;
  retention = run.config.logRetentionDays;
});

/** Every policy document the program declares, with where it came from. */
function allPolicies(): { owner: string; document: PolicyDocument }[] {
  const fields: Record<string, string> = {
    "aws:iam/rolePolicy:RolePolicy": "policy",
    "aws:iam/role:Role": "assumeRolePolicy",
    "aws:s3/bucketPolicy:BucketPolicy": "policy",
    "aws:sqs/queuePolicy:QueuePolicy": "policy",
  };

  return recorded.flatMap((resource) => {
    const field = fields[resource.type];
    if (!field) return [];
    return [
      { owner: resource.name, document: policyOf(resource.inputs[field]) },
    ];
  });
}

type PolicyStatement = PolicyDocument["Statement"][number];

/**
 * Statements that may name a wildcard action (`s3:*`) or principal (`*`),
 * each with its reason. Only Deny statements qualify: a wildcard there
 * takes access away from everyone, and narrowing it would leave gaps.
 */
const WILDCARD_DENIES: readonly {
  readonly reason: string;
  readonly matches: (statement: PolicyStatement) => boolean;
}[] = [
  {
    reason:
      "the TLS-only bucket policy denies every S3 action to every principal over plain HTTP; naming fewer would let the rest through",
    matches: (statement) =>
      statement.Sid === "DenyInsecureTransport" &&
      statement.Effect === "Deny" &&
      statement.Principal === "*" &&
      statement.Action === "s3:*" &&
      statement.Condition?.Bool?.["aws:SecureTransport"] === "false",
  },
];

function hasWildcardPrincipal(statement: PolicyStatement): boolean {
  const principal = statement.Principal;
  if (principal === "*") return true;
  if (typeof principal !== "object" || principal === null) return false;

  return Object.values(principal).some((value) =>
    listOf(value as string | string[]).includes("*"),
  );
}

describe("IAM", () => {
  test("the program declares the policies the checks below read", () => {
    expect(allPolicies().length).toBeGreaterThanOrEqual(15);
  });

  test("no statement grants the * action, and no Allow a service wildcard", () => {
    for (const { owner, document } of allPolicies()) {
      for (const statement of document.Statement) {
        const actions = listOf(statement.Action);
        expect(actions, owner).not.toContain("*");
        if (statement.Effect === "Allow") {
          expect(
            actions.filter((action) => action.includes("*")),
            owner,
          ).toEqual([]);
        }
      }
    }
  });

  test("a wildcard action or principal appears only in the listed Deny statements", () => {
    const used = new Map<string, number>();
    for (const { owner, document } of allPolicies()) {
      for (const statement of document.Statement) {
        const wildcardAction = listOf(statement.Action).some((action) =>
          action.includes("*"),
        );
        if (!wildcardAction && !hasWildcardPrincipal(statement)) continue;
        const exception = WILDCARD_DENIES.find((candidate) =>
          candidate.matches(statement),
        );
        expect(exception, `${owner}: ${statement.Sid}`).toBeDefined();
        if (!exception) continue;
        used.set(exception.reason, (used.get(exception.reason) ?? 0) + 1);
      }
    }

    // Each exception is in use (one TLS-only policy per bucket), so the
    // list cannot keep a justification for a statement that has gone.
    const buckets = ofType(recorded, "aws:s3/bucket:Bucket").length;
    expect(Object.fromEntries(used)).toEqual({
      [WILDCARD_DENIES[0]?.reason ?? ""]: buckets,
    });
  });

  test("a * resource appears only for actions AWS cannot scope, each with a reason", () => {
    const wildcardActions = new Set<string>();
    for (const { owner, document } of allPolicies()) {
      for (const statement of document.Statement) {
        if (!listOf(statement.Resource).includes("*")) continue;
        expect(statement.Effect, owner).toBe("Allow");
        for (const action of listOf(statement.Action)) {
          expect(Object.keys(WILDCARD_RESOURCE_ACTIONS), owner).toContain(
            action,
          );
          wildcardActions.add(action);
        }
      }
    }

    expect([...wildcardActions].sort()).toEqual([
      "xray:PutTelemetryRecords",
      "xray:PutTraceSegments",
    ]);
    for (const reason of Object.values(WILDCARD_RESOURCE_ACTIONS)) {
      expect(reason.length).toBeGreaterThan(20);
    }
  });

  test("every role is assumable by exactly one AWS service", () => {
    for (const role of ofType(recorded, "aws:iam/role:Role")) {
      const [statement, ...others] = policyOf(
        role.inputs.assumeRolePolicy,
      ).Statement;
      expect(others, role.name).toEqual([]);
      expect(statement?.Principal, role.name).toEqual({
        Service: expect.stringMatching(/^[a-z-]+\.amazonaws\.com$/),
      });
    }
  });
});

describe("buckets", () => {
  const buckets = () => ofType(recorded, "aws:s3/bucket:Bucket");
  const forBucket = (type: string, bucket: string) =>
    ofType(recorded, type).filter(
      (resource) => resource.inputs.bucket === bucket,
    );

  test("every bucket blocks public access and disables ACLs", () => {
    expect(buckets().length).toBeGreaterThan(0);
    for (const { inputs } of buckets()) {
      expect(inputs.acl).toBeUndefined();
      const [block] = forBucket(
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        inputs.bucket,
      );
      expect(block?.inputs).toMatchObject({
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      });
      const [ownership] = forBucket(
        "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
        inputs.bucket,
      );
      expect(ownership?.inputs.rule).toEqual({
        objectOwnership: "BucketOwnerEnforced",
      });
    }
  });

  test("every bucket is encrypted at rest", () => {
    for (const { inputs } of buckets()) {
      const [encryption] = forBucket(
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        inputs.bucket,
      );
      expect(
        encryption?.inputs.rules[0].applyServerSideEncryptionByDefault
          .sseAlgorithm,
      ).toMatch(/^(AES256|aws:kms)$/);
    }
  });

  test("every bucket refuses requests that do not use TLS", () => {
    for (const { inputs } of buckets()) {
      const [policy] = forBucket(
        "aws:s3/bucketPolicy:BucketPolicy",
        inputs.bucket,
      );
      const statements = policyOf(policy?.inputs.policy).Statement;
      expect(statements).toContainEqual({
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [
          `arn:aws:s3:::${inputs.bucket}`,
          `arn:aws:s3:::${inputs.bucket}/*`,
        ],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      });
    }
  });
});

describe("queues", () => {
  const queues = () => ofType(recorded, "aws:sqs/queue:Queue");
  const arnOf = (name: string) => `arn:aws:sqs:eu-west-1:123456789012:${name}`;

  /**
   * Queues that hold what could not be handled or delivered: the target of
   * a queue's redrive policy, and the dead-letter queue of an event target
   * or a schedule. Such a queue is the end of the line, so it is exempt
   * from having a DLQ of its own; it must keep messages as long as SQS
   * allows instead, for a person to look at or redrive.
   */
  function deadLetterArns(): Set<string> {
    const redriven = queues()
      .filter((queue) => queue.inputs.redrivePolicy)
      .map(
        (queue) => JSON.parse(queue.inputs.redrivePolicy).deadLetterTargetArn,
      );
    const undelivered = [
      ...ofType(recorded, "aws:cloudwatch/eventTarget:EventTarget").map(
        (target) => target.inputs.deadLetterConfig?.arn,
      ),
      ...ofType(recorded, "aws:scheduler/schedule:Schedule").map(
        (schedule) => schedule.inputs.target.deadLetterConfig?.arn,
      ),
    ];

    return new Set([...redriven, ...undelivered]);
  }

  test("every queue has a dead-letter queue, and every DLQ keeps messages 14 days", () => {
    const deadLetters = deadLetterArns();

    expect(queues().length).toBeGreaterThanOrEqual(7);
    for (const { name, inputs } of queues()) {
      expect(inputs.sqsManagedSseEnabled, name).toBe(true);
      if (deadLetters.has(arnOf(inputs.name))) {
        expect(inputs.messageRetentionSeconds, name).toBe(1_209_600);
        expect(inputs.redrivePolicy, name).toBeUndefined();
        continue;
      }
      const redrive = JSON.parse(inputs.redrivePolicy ?? "null");
      expect(redrive, `${name} has no DLQ`).not.toBeNull();
      expect(redrive.maxReceiveCount).toBeGreaterThan(0);
      const target = queues().find(
        (queue) => arnOf(queue.inputs.name) === redrive.deadLetterTargetArn,
      );
      expect(target?.inputs.fifoQueue, name).toBe(inputs.fifoQueue);
    }
  });

  test("every event target and schedule sets aside what it cannot deliver, after retries", () => {
    const targets = [
      ...ofType(recorded, "aws:cloudwatch/eventTarget:EventTarget").map(
        ({ name, inputs }) => ({ name, inputs }),
      ),
      ...ofType(recorded, "aws:scheduler/schedule:Schedule").map(
        ({ name, inputs }) => ({ name, inputs: inputs.target }),
      ),
    ];
    const names = new Set(queues().map((queue) => arnOf(queue.inputs.name)));

    expect(targets.length).toBeGreaterThanOrEqual(2);
    for (const { name, inputs } of targets) {
      expect(names.has(inputs.deadLetterConfig?.arn), name).toBe(true);
      expect(inputs.retryPolicy?.maximumRetryAttempts, name).toBeGreaterThan(0);
      expect(inputs.retryPolicy?.maximumEventAgeInSeconds, name).toBeDefined();
    }
  });
});

describe("functions", () => {
  const functions = () => ofType(recorded, "aws:lambda/function:Function");

  test("the six handlers are deployed on arm64 nodejs22.x with X-Ray", () => {
    expect(
      functions()
        .map((fn) => fn.inputs.name)
        .sort(),
    ).toEqual([
      "core-dev-api",
      "core-dev-cdn-backfill-page",
      "core-dev-cdn-sync",
      "core-dev-post-authentication",
      "core-dev-resync",
      "core-dev-sync-worker",
    ]);
    for (const { name, inputs } of functions()) {
      expect(inputs, name).toMatchObject({
        runtime: "nodejs22.x",
        architectures: ["arm64"],
        handler: "index.handler",
        tracingConfig: { mode: "Active" },
      });
      expect(inputs.environment.variables.POWERTOOLS_SERVICE_NAME).toBe(
        "api-core",
      );
    }
  });

  test("every function logs to its own log group with the configured retention", () => {
    const groups = ofType(recorded, "aws:cloudwatch/logGroup:LogGroup");
    for (const { name, inputs } of functions()) {
      const logGroup = inputs.loggingConfig.logGroup;
      expect(logGroup, name).toBe(`/aws/lambda/${inputs.name}`);
      const group = groups.find(
        (candidate) => candidate.inputs.name === logGroup,
      );
      expect(group?.inputs.retentionInDays, name).toBe(retention);
    }
  });

  test("every log group, functions' and the API's, has the configured retention", () => {
    const groups = ofType(recorded, "aws:cloudwatch/logGroup:LogGroup");

    expect(groups.length).toBe(functions().length + 1);
    for (const { name, inputs } of groups) {
      expect(inputs.retentionInDays, name).toBe(retention);
    }
  });

  test("every function may write only to its own log group", () => {
    for (const policy of ofType(recorded, "aws:iam/rolePolicy:RolePolicy")) {
      const logs = policyOf(policy.inputs.policy).Statement.filter(
        (statement) => statement.Sid === "WriteOwnLogs",
      );
      if (policy.name.startsWith("resync-schedule")) continue;
      const fn = policy.name.replace(/-policy$/, "");
      const functionName = functions().find(
        (candidate) => candidate.name === `${fn}-function`,
      )?.inputs.name;
      expect(logs, policy.name).toHaveLength(1);
      expect(logs[0]?.Resource).toEqual([
        `arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/${functionName}:*`,
      ]);
    }
  });
});
