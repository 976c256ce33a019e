/**
 * The one place that reads environment variables.
 *
 * Each area has its own schema, loaded on first use and cached, so a Lambda
 * that never touches the CDN does not need CDN variables. Errors name every
 * bad variable and say what is wrong; values are never echoed, because some
 * of them are secrets.
 */
// zod/mini: the same validation as zod's classic API, tree-shaken, so each
// Lambda bundle carries a few KiB of it instead of hundreds.
import * as z from "zod/mini";

/** Thrown when environment variables are missing or malformed. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  ${problems.join("\n  ")}`);
    this.name = "ConfigError";
  }
}

type Env = Record<string, string | undefined>;

const text = z.string().check(z.trim(), z.minLength(1, "must not be empty"));
// WHATWG parsing, not a hostname pattern: a queue URL's host may be, for
// example, `sqs.us-east-1.localhost`, which stricter validators refuse.
const url = text.check(
  z.refine(
    (value) => /^https?:$/.test(URL.parse(value)?.protocol ?? ""),
    "must be an http(s) URL such as https://example.com",
  ),
);
const positiveInt = z.coerce
  .number({ error: "must be a number" })
  .check(
    z.refine(Number.isInteger, "must be a whole number"),
    z.gt(0, "must be greater than zero"),
  );
const atMost = (max: number) =>
  positiveInt.check(z.lte(max, `must be at most ${max}`));
const list = z.pipe(
  z.string(),
  z.transform((value) =>
    value
      .split(",")
      .map((item) => item.trim())
      .filter(Boolean),
  ),
);
const withoutTrailingSlash = (schema: typeof url) =>
  z.pipe(
    schema,
    z.transform((value) => value.replace(/\/+$/, "")),
  );
const optional = z.optional;
const withDefault = z._default;

/** Endpoints of the AWS services; unset means the SDK's default (real AWS). */
const awsSchema = z.object({
  AWS_REGION: withDefault(text, "us-east-1"),
  COGNITO_ENDPOINT: optional(url),
  DYNAMODB_ENDPOINT: optional(url),
  S3_ENDPOINT: optional(url),
  SQS_ENDPOINT: optional(url),
  SSM_ENDPOINT: optional(url),
  SECRETS_ENDPOINT: optional(url),
});

const userSyncSchema = z.object({
  USER_POOL_ID: text,
  USERS_TABLE: text,
  SYNC_QUEUE_URL: url,
  AVATARS_BUCKET: text,
  CDN_BASE_URL: withoutTrailingSlash(url),
  GRAVATAR_BASE_URL: withDefault(
    withoutTrailingSlash(url),
    "https://gravatar.com",
  ),
  GRAVATAR_SIZE: withDefault(atMost(2048), 200),
  GRAVATAR_TIMEOUT_MS: withDefault(positiveInt, 3000),
  SYNC_MIN_INTERVAL_SECONDS: withDefault(positiveInt, 10),
});

const triggerSchema = z.object({
  SYNC_QUEUE_URL: url,
  /** Cognito gives a trigger 5 s; the enqueue must finish well before. */
  ENQUEUE_TIMEOUT_MS: withDefault(atMost(4000), 1500),
});

const httpSchema = z.object({
  /** Defaults to the issuer of the pool in AWS; set for cognito-local. */
  COGNITO_ISSUER: optional(withoutTrailingSlash(url)),
  COGNITO_CLIENT_IDS: z.pipe(
    list,
    z
      .array(z.string())
      .check(z.minLength(1, "must list at least one app client id")),
  ),
  CORS_ORIGINS: withDefault(list, []),
});

const cdnSchema = z.object({
  CDN_REGISTRY_PREFIX: withDefault(
    text.check(
      z.refine(
        (value) => value.startsWith("/") && value.endsWith("/"),
        "must start and end with /",
      ),
    ),
    "/cdn-bucket/",
  ),
  CDN_SECRET_NAME: withDefault(text, "/core/cloudflare-cdn"),
  CDN_R2_BUCKET: text,
  CDN_R2_ENDPOINT: optional(url),
  CDN_QUEUE_URL: optional(url),
  /** The backfill page handler's own queue (`core cdn backfill --remote`). */
  CDN_BACKFILL_QUEUE_URL: optional(url),
  CDN_BASE_URL: withoutTrailingSlash(url),
  CLOUDFLARE_ZONE_ID: optional(text),
  CLOUDFLARE_API_TOKEN: optional(text),
  CLOUDFLARE_API_BASE_URL: optional(url),
});

const localSchema = z.object({
  /** Folder of the local core's data and its endpoints.json. */
  CORE_HOME: withDefault(text, ".core"),
  /**
   * Port of the local core's HTTP API and `/cdn/`; its engines take the six
   * ports after it (src/local/ports.ts).
   */
  CORE_PORT: withDefault(atMost(65529), 4000),
  /** Extra registered buckets, e.g. `anime=anime-assets,people=people-assets`. */
  CDN_BUCKETS: withDefault(
    list.check(
      z.refine(
        (pairs) => pairs.every((pair) => /^[^=\s]+=[^=\s]+$/.test(pair)),
        "must be dir=bucket pairs, e.g. anime=anime-assets",
      ),
    ),
    [],
  ),
});

export type AwsConfig = z.output<typeof awsSchema>;
export type UserSyncConfig = z.output<typeof userSyncSchema>;
export type TriggerConfig = z.output<typeof triggerSchema>;
export type HttpConfig = z.output<typeof httpSchema>;
export type CdnConfig = z.output<typeof cdnSchema>;

/**
 * Validates `env` against `schema` and throws a ConfigError naming each bad
 * variable. Only issue messages are reported, never the received values.
 */
export function parseEnv<T extends z.ZodMiniType>(
  schema: T,
  env: Env,
): z.output<T> {
  const result = z.safeParse(schema, env);
  if (result.success) return result.data;

  const problems = result.error.issues.map((issue) => {
    const variable = String(issue.path[0] ?? "environment");
    const message =
      env[variable] === undefined && issue.code === "invalid_type"
        ? "is not set"
        : issue.message;

    return `${variable} ${message}`;
  });
  throw new ConfigError(problems);
}

function cached<T>(load: (env: Env) => T): (env?: Env) => T {
  let value: T | undefined;

  return (env) => {
    if (env) return load(env);
    value ??= load(process.env);
    return value;
  };
}

export const awsConfig = cached((env) => parseEnv(awsSchema, env));
export const userSyncConfig = cached((env) => parseEnv(userSyncSchema, env));
export const triggerConfig = cached((env) => parseEnv(triggerSchema, env));
export const httpConfig = cached((env) => parseEnv(httpSchema, env));
export const cdnConfig = cached((env) => parseEnv(cdnSchema, env));
/** Only the registry prefix, for tools that list the registry. */
export const cdnRegistryConfig = cached((env) =>
  parseEnv(z.pick(cdnSchema, { CDN_REGISTRY_PREFIX: true }), env),
);
export const localConfig = cached((env) => parseEnv(localSchema, env));
