/**
 * One Lambda function as this service runs them: its own role with an inline
 * least-privilege policy, its own log group with retention, arm64 on
 * `nodejs22.x`, X-Ray tracing, and code from the `dist/<handler>` bundle.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { InfraArgumentError } from "../errors.ts";
import {
  assumeRolePolicy,
  checkStatements,
  policyJson,
  type Statement,
  TRACING_STATEMENT,
} from "../iam.ts";

/** Lambda's maximum timeout (Lambda quotas). */
export const LAMBDA_MAX_TIMEOUT_SECONDS = 900;
/** The runtime and architecture every handler bundle is built for. */
export const LAMBDA_RUNTIME = "nodejs22.x";
export const LAMBDA_ARCHITECTURE = "arm64";

export interface LambdaFunctionArgs {
  /** The bundle folder under `codeDir`, e.g. `sync-worker`. */
  readonly handler: string;
  /** The physical function name; the log group is named after it. */
  readonly functionName: string;
  readonly description: string;
  readonly environment: Readonly<Record<string, pulumi.Input<string>>>;
  /** What the code calls; logging and tracing are added here. */
  readonly statements: readonly Statement[];
  readonly logRetentionDays: number;
  readonly timeoutSeconds: number;
  readonly memoryMb?: number;
  /** Where `npm run build` put the bundles; defaults to `dist`. */
  readonly codeDir?: string;
}

/** A Lambda function with its role, inline policy and log group. */
export class LambdaFunction extends pulumi.ComponentResource {
  readonly function: aws.lambda.Function;
  readonly role: aws.iam.Role;
  readonly logGroup: aws.cloudwatch.LogGroup;
  readonly arn: pulumi.Output<string>;
  readonly name: pulumi.Output<string>;

  constructor(
    name: string,
    args: LambdaFunctionArgs,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    rejectUnusable(name, args);
    super("api-core:lambda:Function", name, {}, opts);

    this.logGroup = new aws.cloudwatch.LogGroup(
      `${name}-logs`,
      {
        name: `/aws/lambda/${args.functionName}`,
        retentionInDays: args.logRetentionDays,
      },
      { parent: this },
    );
    this.role = new aws.iam.Role(
      `${name}-role`,
      {
        description: `Runs the ${args.functionName} function`,
        assumeRolePolicy: assumeRolePolicy("lambda.amazonaws.com"),
      },
      { parent: this },
    );
    const policy = new aws.iam.RolePolicy(
      `${name}-policy`,
      {
        role: this.role.id,
        policy: policyJson([
          ...args.statements,
          logWriting(this.logGroup.arn),
          TRACING_STATEMENT,
        ]),
      },
      { parent: this },
    );
    this.function = new aws.lambda.Function(
      `${name}-function`,
      {
        name: args.functionName,
        description: args.description,
        role: this.role.arn,
        runtime: LAMBDA_RUNTIME,
        architectures: [LAMBDA_ARCHITECTURE],
        handler: "index.handler",
        code: new pulumi.asset.FileArchive(bundlePath(args)),
        timeout: args.timeoutSeconds,
        memorySize: args.memoryMb ?? 256,
        environment: { variables: { ...args.environment } },
        tracingConfig: { mode: "Active" },
        loggingConfig: { logFormat: "JSON", logGroup: this.logGroup.name },
      },
      // The policy must exist before the first invocation or event mapping.
      { parent: this, dependsOn: [policy, this.logGroup] },
    );
    this.arn = this.function.arn;
    this.name = this.function.name;

    this.registerOutputs({ arn: this.arn, name: this.name });
  }
}

/** The folder `npm run build` writes the handler's bundle to. */
export function bundlePath(
  args: Pick<LambdaFunctionArgs, "codeDir" | "handler">,
): string {
  return `${args.codeDir ?? "dist"}/${args.handler}`;
}

function rejectUnusable(name: string, args: LambdaFunctionArgs): void {
  const timeout = args.timeoutSeconds;
  if (!Number.isInteger(timeout) || timeout < 1) {
    throw new InfraArgumentError(`${name}: timeoutSeconds must be >= 1`);
  }
  if (timeout > LAMBDA_MAX_TIMEOUT_SECONDS) {
    throw new InfraArgumentError(
      `${name}: timeoutSeconds must be at most ${LAMBDA_MAX_TIMEOUT_SECONDS}`,
    );
  }
  checkStatements(name, args.statements);
}

/** Writing to its own log group only; the group exists, so no create. */
function logWriting(logGroupArn: pulumi.Output<string>): Statement {
  return {
    Sid: "WriteOwnLogs",
    Effect: "Allow",
    Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
    Resource: [pulumi.interpolate`${logGroupArn}:*`],
  };
}
