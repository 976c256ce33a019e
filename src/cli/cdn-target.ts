/**
 * Configuration of the `core cdn` commands that target AWS. What the
 * environment leaves unset is read from the stack's `/core/` outputs in SSM
 * (infra/outputs.ts), as `core users` does; a variable that is set always
 * wins, so a command can still be pointed elsewhere.
 */
import {
  GetParameterCommand,
  ParameterNotFound,
  type SSMClient,
} from "@aws-sdk/client-ssm";
import { ConfigError, cdnRegistryConfig } from "../config.ts";

type Env = Record<string, string | undefined>;

/** Endpoint options shared by both commands, as commander parses them. */
export interface EndpointOptions {
  /** Use the local core's endpoints.json instead of AWS. */
  readonly local?: boolean;
  readonly s3Endpoint?: string;
  readonly r2Endpoint?: string;
  readonly r2Bucket?: string;
  readonly ssmEndpoint?: string;
  readonly secretsEndpoint?: string;
}

/** The environment with the command's endpoint options laid over it. */
export function environmentWith(options: EndpointOptions): Env {
  const overrides = {
    S3_ENDPOINT: options.s3Endpoint,
    CDN_R2_ENDPOINT: options.r2Endpoint,
    CDN_R2_BUCKET: options.r2Bucket,
    SSM_ENDPOINT: options.ssmEndpoint,
    SECRETS_ENDPOINT: options.secretsEndpoint,
  };
  const given = Object.entries(overrides).filter(([, value]) => value);

  return { ...process.env, ...Object.fromEntries(given) };
}

/** Each variable a CDN command may take from SSM, and its parameter. */
export const CDN_OUTPUTS = {
  CDN_R2_BUCKET: "/core/cdn-r2-bucket",
  CDN_BACKFILL_QUEUE_URL: "/core/cdn-backfill-queue-url",
  CDN_BASE_URL: "/core/cdn-domain",
} as const;

export type CdnOutputVariable = keyof typeof CDN_OUTPUTS;

type Lookup =
  | { readonly variable: CdnOutputVariable; readonly value: string }
  | { readonly variable: CdnOutputVariable; readonly problem: string };

/**
 * `env` with each of `variables` it leaves unset read from its `/core/`
 * parameter. Throws a ConfigError naming the parameter and the variable
 * for each one that is missing or unreadable.
 */
export async function withCdnOutputs(
  ssm: SSMClient,
  env: Env,
  variables: readonly CdnOutputVariable[],
): Promise<Env> {
  const unset = variables.filter((variable) => !env[variable]?.trim());
  if (unset.length === 0) return env;

  // One GetParameter per name, not GetParameters: the local SSM engine has
  // only the former, and there are never more than three names.
  const lookups = await Promise.all(
    unset.map((variable) => readOutput(ssm, variable)),
  );
  const problems = lookups.flatMap((lookup) =>
    "problem" in lookup ? [lookup.problem] : [],
  );
  if (problems.length > 0) throw new ConfigError(problems);

  const filled = lookups.map((lookup) => [
    lookup.variable,
    "value" in lookup ? lookup.value : undefined,
  ]);

  return { ...env, ...Object.fromEntries(filled) };
}

async function readOutput(
  ssm: SSMClient,
  variable: CdnOutputVariable,
): Promise<Lookup> {
  const name = CDN_OUTPUTS[variable];
  const unset = `${variable} is not set and the SSM parameter ${name}`;
  try {
    const { Parameter } = await ssm.send(
      new GetParameterCommand({ Name: name }),
    );
    const value = Parameter?.Value?.trim();
    if (!value) return { variable, problem: `${unset} is empty` };

    // The stack publishes the CDN's host name; the variable is a URL.
    return {
      variable,
      value: variable === "CDN_BASE_URL" ? `https://${value}` : value,
    };
  } catch (error) {
    const problem =
      error instanceof ParameterNotFound
        ? `${unset} does not exist (set ${variable}, or deploy the stack that publishes it)`
        : `${unset} could not be read: ${(error as Error).name}`;

    return { variable, problem };
  }
}

/** What `core cdn backfill --remote` needs, and nothing else. */
export interface RemoteBackfillConfig {
  readonly registryPrefix: string;
  readonly queueUrl: string;
}

/**
 * The registry prefix and the backfill queue URL from `env`, which
 * withCdnOutputs has filled: the remote start copies nothing, so it needs
 * neither the R2 bucket nor the CDN's URL.
 */
export function remoteBackfillConfig(env: Env): RemoteBackfillConfig {
  const queueUrl = env.CDN_BACKFILL_QUEUE_URL?.trim() ?? "";
  if (!/^https?:$/.test(URL.parse(queueUrl)?.protocol ?? "")) {
    throw new ConfigError([
      `CDN_BACKFILL_QUEUE_URL must be an http(s) URL such as https://sqs.us-east-1.amazonaws.com/123456789012/cdn-backfill.fifo`,
    ]);
  }

  return {
    registryPrefix: cdnRegistryConfig(env).CDN_REGISTRY_PREFIX,
    queueUrl,
  };
}
