import { beforeAll, describe, expect, test } from "vitest";
import {
  bundlePath,
  LambdaFunction,
  type LambdaFunctionArgs,
} from "../../infra/components/lambda-function.ts";
import { InfraArgumentError } from "../../infra/errors.ts";
import {
  installMocks,
  named,
  policyOf,
  type Recorded,
  settle,
} from "./pulumi-harness.ts";

const ARGS: LambdaFunctionArgs = {
  handler: "sync-worker",
  functionName: "core-test-sync-worker",
  description: "test function",
  environment: { USERS_TABLE: "users" },
  statements: [
    {
      Sid: "ReadTable",
      Effect: "Allow",
      Action: ["dynamodb:GetItem"],
      Resource: ["arn:aws:dynamodb:eu-west-1:123456789012:table/users"],
    },
  ],
  logRetentionDays: 14,
  timeoutSeconds: 30,
};

let recorded: Recorded[];

beforeAll(async () => {
  recorded = await installMocks();
  new LambdaFunction("fn", ARGS);
  await settle();
});

describe("LambdaFunction", () => {
  test("runs the built bundle of its handler", () => {
    expect(bundlePath(ARGS)).toBe("dist/sync-worker");
    expect(bundlePath({ ...ARGS, codeDir: "/tmp/build" })).toBe(
      "/tmp/build/sync-worker",
    );
    expect(named(recorded, "fn-function").inputs).toMatchObject({
      name: "core-test-sync-worker",
      runtime: "nodejs22.x",
      architectures: ["arm64"],
      handler: "index.handler",
      timeout: 30,
      memorySize: 256,
      environment: { variables: { USERS_TABLE: "users" } },
      tracingConfig: { mode: "Active" },
      loggingConfig: {
        logFormat: "JSON",
        logGroup: "/aws/lambda/core-test-sync-worker",
      },
    });
  });

  test("owns a log group with the given retention", () => {
    expect(named(recorded, "fn-logs").inputs).toEqual({
      name: "/aws/lambda/core-test-sync-worker",
      retentionInDays: 14,
    });
  });

  test("its inline policy is the given statements plus its logs and traces", () => {
    const statements = policyOf(
      named(recorded, "fn-policy").inputs.policy,
    ).Statement;

    expect(statements.map((statement) => statement.Sid)).toEqual([
      "ReadTable",
      "WriteOwnLogs",
      "WriteTraces",
    ]);
    expect(
      policyOf(named(recorded, "fn-role").inputs.assumeRolePolicy),
    ).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Service: "lambda.amazonaws.com" },
          Action: "sts:AssumeRole",
        },
      ],
    });
  });

  test.each([
    ["a * action", { Action: ["*"] }, "grants the wildcard *"],
    ["a service wildcard", { Action: ["s3:*"] }, "grants the wildcard s3:*"],
    [
      "every resource for a scopable action",
      { Resource: ["*"] },
      "grants dynamodb:GetItem on every resource",
    ],
    ["no resources", { Resource: [] }, "needs actions and resources"],
  ])("refuses a statement with %s", (_, change, message) => {
    const statements = [{ ...ARGS.statements[0], ...change }];
    const create = () =>
      new LambdaFunction("bad", {
        ...ARGS,
        statements: statements as LambdaFunctionArgs["statements"],
      });

    expect(create).toThrow(InfraArgumentError);
    expect(create).toThrow(message);
  });

  test("refuses a timeout Lambda does not allow", () => {
    expect(
      () => new LambdaFunction("slow", { ...ARGS, timeoutSeconds: 901 }),
    ).toThrow("timeoutSeconds must be at most 900");
    expect(
      () => new LambdaFunction("zero", { ...ARGS, timeoutSeconds: 0 }),
    ).toThrow("timeoutSeconds must be >= 1");
  });
});
