/**
 * IAM statements as the components take them, and the one list of actions
 * that may name every resource because AWS offers nothing narrower.
 */
import * as pulumi from "@pulumi/pulumi";
import { InfraArgumentError } from "./errors.ts";

/** One statement of a policy; resources may be outputs of other resources. */
export interface Statement {
  readonly Sid: string;
  readonly Effect: "Allow";
  readonly Action: readonly string[];
  readonly Resource: readonly pulumi.Input<string>[];
}

/**
 * Actions allowed on `"*"`, each with the reason. Every other action must
 * name its resources.
 */
export const WILDCARD_RESOURCE_ACTIONS: Readonly<Record<string, string>> = {
  "xray:PutTraceSegments":
    "X-Ray supports no resource-level permissions (Service Authorization Reference, AWS X-Ray)",
  "xray:PutTelemetryRecords":
    "X-Ray supports no resource-level permissions (Service Authorization Reference, AWS X-Ray)",
};

/** Actions a function needs so that Lambda can send its traces to X-Ray. */
export const TRACING_STATEMENT: Statement = {
  Sid: "WriteTraces",
  Effect: "Allow",
  Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
  Resource: ["*"],
};

/**
 * Rejects statements that would grant more than they say: a `*` or
 * service-wide action, no resources, or `*` resources for an action that
 * has narrower ones.
 */
export function checkStatements(
  owner: string,
  statements: readonly Statement[],
): void {
  for (const statement of statements) {
    const where = `${owner}: statement ${statement.Sid}`;
    if (statement.Action.length === 0 || statement.Resource.length === 0) {
      throw new InfraArgumentError(`${where} needs actions and resources`);
    }
    const broad = statement.Action.find((action) => action.includes("*"));
    if (broad) {
      throw new InfraArgumentError(`${where} grants the wildcard ${broad}`);
    }
    const everything = statement.Resource.includes("*");
    const narrowable = statement.Action.find(
      (action) => !(action in WILDCARD_RESOURCE_ACTIONS),
    );
    if (everything && narrowable) {
      throw new InfraArgumentError(
        `${where} grants ${narrowable} on every resource`,
      );
    }
  }
}

/** A policy document as JSON, resolving the outputs in its resources. */
export function policyJson(
  statements: readonly Statement[],
): pulumi.Output<string> {
  return pulumi.jsonStringify({ Version: "2012-10-17", Statement: statements });
}

/** A trust policy that lets `service` assume the role. */
export function assumeRolePolicy(
  service: string,
  sourceAccount?: pulumi.Input<string>,
): pulumi.Output<string> {
  return pulumi.jsonStringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Service: service },
        Action: "sts:AssumeRole",
        ...(sourceAccount
          ? {
              Condition: {
                StringEquals: { "aws:SourceAccount": sourceAccount },
              },
            }
          : {}),
      },
    ],
  });
}
