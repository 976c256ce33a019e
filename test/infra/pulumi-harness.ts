/**
 * Runs Pulumi code under the SDK's mocks: no CLI, no account. Every resource
 * the program registers is recorded with the inputs it received, and the
 * mocks answer the few provider functions the program calls.
 */
import { readFileSync } from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";

export const ACCOUNT_ID = "123456789012";
export const REGION = "eu-west-1";
export const POOL_ID = `${REGION}_TestPool`;

/** One resource as the program declared it. */
export interface Recorded {
  readonly type: string;
  readonly name: string;
  // biome-ignore lint/suspicious/noExplicitAny: inputs are untyped by nature
  readonly inputs: Record<string, any>;
  readonly provider?: string;
  /** Names of the resources it waits for, explicitly or through inputs. */
  readonly dependsOn: readonly string[];
  /** Pulumi's `protect` option, undefined when the program left it unset. */
  readonly protect?: boolean;
  /** Earlier names the resource answers to (`aliases` with a name). */
  readonly aliasNames: readonly string[];
}

/** What the mocks' `newResource` is not told, read from the request. */
type Registration = Pick<Recorded, "dependsOn" | "protect" | "aliasNames">;

export interface HarnessOptions {
  /** Parameters under /cdn-bucket/ that SSM answers with. */
  readonly registry?: readonly { name: string; value: string }[];
  /** Stack configuration set over `Pulumi.dev.yaml`, e.g. `aws:profile`. */
  readonly config?: Readonly<Record<string, string>>;
}

/** Installs the mocks and returns the list they record into. */
export async function installMocks(
  options: HarnessOptions = {},
): Promise<Recorded[]> {
  const recorded: Recorded[] = [];
  const registrations = new Map<string, Registration>();
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        const registration = registrations.get(`${args.type}::${args.name}`);
        recorded.push({
          type: args.type,
          name: args.name,
          inputs: args.inputs,
          ...(args.provider ? { provider: args.provider } : {}),
          dependsOn: registration?.dependsOn ?? [],
          ...(registration?.protect === undefined
            ? {}
            : { protect: registration.protect }),
          aliasNames: registration?.aliasNames ?? [],
        });
        const state = { ...args.inputs, ...computedState(args) };

        return { id: String(state.id ?? `${args.name}-id`), state };
      },
      call(args) {
        return answerCall(args.token, args.inputs, options);
      },
    },
    "api-core",
    "dev",
    false,
  );
  recordRegistrations(registrations);

  return recorded;
}

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getDependenciesList(): string[];
  getProtect(): boolean | undefined;
  getAliasesList(): { getSpec(): { getName(): string } | undefined }[];
}

/**
 * The mocks hand `newResource` neither dependencies nor resource options,
 * so they are read from the registration request on its way to the mock
 * monitor: what the engine would receive.
 */
function recordRegistrations(into: Map<string, Registration>): void {
  const monitor = pulumi.runtime.getMonitor() as unknown as {
    registerResource(request: RegisterRequest, callback: unknown): unknown;
  };
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (request, callback) => {
    const nameOf = (urn: string) => urn.slice(urn.lastIndexOf("::") + 2);
    const aliasNames = request
      .getAliasesList()
      .flatMap((alias) => alias.getSpec()?.getName() || []);
    into.set(`${request.getType()}::${request.getName()}`, {
      dependsOn: request.getDependenciesList().map(nameOf),
      protect: request.getProtect(),
      aliasNames,
    });

    return register(request, callback);
  };
}

/**
 * The values of a stack file as the CLI hands them to the program: strings,
 * with lists and maps as JSON.
 */
export function stackFileValues(path = "Pulumi.dev.yaml") {
  const file = parse(readFileSync(path, "utf8")) as {
    config: Record<string, unknown>;
  };
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(file.config)) {
    values[key] =
      typeof value === "object" ? JSON.stringify(value) : String(value);
  }

  return values;
}

/** The `api-core:` keys of the example stack file, without the prefix. */
export function exampleConfigValues(): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(stackFileValues())) {
    if (key.startsWith("api-core:")) values[key.slice(9)] = value;
  }

  return values;
}

/** Loads `Pulumi.dev.yaml`, with `overrides`, as the CLI would. */
export function useStackFile(
  overrides: Readonly<Record<string, string>> = {},
): void {
  pulumi.runtime.setAllConfig({ ...stackFileValues(), ...overrides });
}

/** Waits until every registration the program started has been recorded. */
export async function settle(): Promise<void> {
  const runtime = pulumi.runtime as unknown as {
    waitForRPCs(): Promise<void>;
  };
  await runtime.waitForRPCs();
}

/** The resolved value of an output, for assertions. */
export function resolved<T>(output: pulumi.Input<T>): Promise<T> {
  return new Promise((resolve) => {
    pulumi.output(output).apply((value) => {
      resolve(value as T);
      return value;
    });
  });
}

/** Resources of `type`, e.g. `aws:sqs/queue:Queue`. */
export function ofType(recorded: readonly Recorded[], type: string) {
  return recorded.filter((resource) => resource.type === type);
}

/** A policy input (a JSON string) as an object. */
export function policyOf(value: unknown): PolicyDocument {
  return (
    typeof value === "string" ? JSON.parse(value) : value
  ) as PolicyDocument;
}

export interface PolicyDocument {
  readonly Statement: readonly {
    readonly Sid?: string;
    readonly Effect: string;
    readonly Action: string | readonly string[];
    readonly Resource?: string | readonly string[];
    readonly Principal?: unknown;
    readonly Condition?: Record<string, Record<string, unknown>>;
  }[];
}

/** Pulumi's marker of a secret value in serialized inputs. */
const SECRET_SIGNATURE = "4dabf18193072939515e22adb298388d";

/** An input without its secret envelope (SSM values are always secret). */
export function plain(value: unknown): unknown {
  const envelope = value as Record<string, unknown> | null;
  if (
    envelope &&
    typeof envelope === "object" &&
    SECRET_SIGNATURE in envelope
  ) {
    return envelope.value;
  }

  return value;
}

/** A value or list of values as a list. */
export function listOf<T>(value: T | readonly T[] | undefined): readonly T[] {
  if (value === undefined) return [];

  return Array.isArray(value) ? value : [value as T];
}

/**
 * The one cloud resource named `name` (components, which share their
 * child's name, are skipped); fails loudly when absent.
 */
export function named(recorded: readonly Recorded[], name: string): Recorded {
  const found = recorded.find(
    (resource) =>
      resource.name === name && !resource.type.startsWith("api-core:"),
  );
  if (!found) throw new Error(`no resource named ${name}`);

  return found;
}

function arnOf(service: string, resource: string): string {
  return `arn:aws:${service}:${REGION}:${ACCOUNT_ID}:${resource}`;
}

/** What AWS and Cloudflare would compute for a new resource. */
function computedState(args: pulumi.runtime.MockResourceArgs) {
  const inputs = args.inputs;
  const name = String(inputs.name ?? args.name);
  switch (args.type) {
    case "aws:s3/bucket:Bucket":
      return { id: inputs.bucket, arn: `arn:aws:s3:::${inputs.bucket}` };
    case "aws:sqs/queue:Queue":
      return {
        arn: arnOf("sqs", name),
        url: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT_ID}/${name}`,
      };
    case "aws:cloudwatch/logGroup:LogGroup":
      return { arn: arnOf("logs", `log-group:${name}`) };
    case "aws:lambda/function:Function":
      return { arn: arnOf("lambda", `function:${name}`) };
    case "aws:dynamodb/table:Table":
      return { arn: arnOf("dynamodb", `table/${name}`) };
    case "aws:cognito/userPool:UserPool":
      return {
        id: POOL_ID,
        arn: arnOf("cognito-idp", `userpool/${POOL_ID}`),
        endpoint: `cognito-idp.${REGION}.amazonaws.com/${POOL_ID}`,
      };
    case "aws:cognito/userPoolClient:UserPoolClient":
      return { id: "website-client-id" };
    case "aws:cognito/userPoolDomain:UserPoolDomain":
      return { cloudfrontDistribution: "d1234.cloudfront.net" };
    case "aws:acm/certificate:Certificate":
      return {
        arn: `arn:aws:acm:${REGION}:${ACCOUNT_ID}:certificate/${args.name}`,
        domainValidationOptions: [
          {
            domainName: inputs.domainName,
            resourceRecordName: `_v.${inputs.domainName}.`,
            resourceRecordType: "CNAME",
            resourceRecordValue: "_w.acm-validations.aws.",
          },
        ],
      };
    case "aws:sesv2/emailIdentity:EmailIdentity":
      return {
        arn: arnOf("ses", `identity/${inputs.emailIdentity}`),
        dkimSigningAttributes: { tokens: ["dkim1", "dkim2", "dkim3"] },
      };
    case "aws:ses/domainIdentityVerification:DomainIdentityVerification":
      return {
        id: inputs.domain,
        arn: arnOf("ses", `identity/${inputs.domain}`),
      };
    case "aws:apigatewayv2/api:Api":
      return {
        id: "api123",
        executionArn: arnOf("execute-api", "api123"),
      };
    case "aws:apigatewayv2/domainName:DomainName":
      return {
        id: inputs.domainName,
        domainNameConfiguration: {
          ...inputs.domainNameConfiguration,
          targetDomainName: "d-api.execute-api.eu-west-1.amazonaws.com",
        },
      };
    case "aws:cloudwatch/eventRule:EventRule":
      return { arn: arnOf("events", `rule/${name}`) };
    case "cloudflare:index/zone:Zone":
      return { id: "created-zone-id", nameServers: ["a.ns", "b.ns"] };
    default:
      return { arn: arnOf("mock", name) };
  }
}

function answerCall(
  token: string,
  inputs: Record<string, unknown>,
  options: HarnessOptions,
): Record<string, unknown> {
  switch (token) {
    case "aws:index/getCallerIdentity:getCallerIdentity":
      return { accountId: ACCOUNT_ID, arn: "arn:aws:iam::x", id: ACCOUNT_ID };
    case "aws:index/getRegion:getRegion":
      return { region: REGION, name: REGION, id: REGION };
    case "aws:ssm/getParametersByPath:getParametersByPath": {
      const registry = options.registry ?? [];
      return {
        ...inputs,
        names: registry.map((parameter) => parameter.name),
        values: registry.map((parameter) => parameter.value),
        arns: registry.map((parameter) => arnOf("ssm", parameter.name)),
        types: registry.map(() => "String"),
      };
    }
    default:
      throw new Error(`the mocks do not answer ${token}`);
  }
}
