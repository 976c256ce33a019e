/**
 * The one place that reads environment variables.
 *
 * Each area has its own schema, loaded on first use and cached, so a Lambda
 * that never touches the CDN does not need CDN variables. Errors name every
 * bad variable and say what is wrong; values are never echoed, because some
 * of them are secrets.
 */
import { z } from "zod";

/** Thrown when environment variables are missing or malformed. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  ${problems.join("\n  ")}`);
    this.name = "ConfigError";
  }
}

type Env = Record<string, string | undefined>;

const text = z.string().trim().min(1, "must not be empty");
// WHATWG parsing, not a hostname pattern: fauxqs queue URLs have hosts like
// `sqs.us-east-1.127.0.0.1`, which stricter validators refuse.
const url = text.refine(
  (value) => /^https?:$/.test(URL.parse(value)?.protocol ?? ""),
  "must be an http(s) URL such as https://example.com",
);
const positiveInt = z.coerce
  .number({ error: "must be a number" })
  .int("must be a whole number")
  .positive("must be greater than zero");
const list = z.string().transform((value) =>
  value
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean),
);
const withoutTrailingSlash = (value: string) => value.replace(/\/+$/, "");

/** Endpoints of the AWS services; unset means the SDK's default (real AWS). */
const awsSchema = z.object({
  AWS_REGION: text.default("us-east-1"),
  COGNITO_ENDPOINT: url.optional(),
  DYNAMODB_ENDPOINT: url.optional(),
  S3_ENDPOINT: url.optional(),
  SQS_ENDPOINT: url.optional(),
  SSM_ENDPOINT: url.optional(),
  SECRETS_ENDPOINT: url.optional(),
});

const userSyncSchema = z.object({
  USER_POOL_ID: text,
  USERS_TABLE: text,
  SYNC_QUEUE_URL: url,
  AVATARS_BUCKET: text,
  CDN_BASE_URL: url.transform(withoutTrailingSlash),
  GRAVATAR_BASE_URL: url
    .default("https://gravatar.com")
    .transform(withoutTrailingSlash),
  GRAVATAR_SIZE: positiveInt.max(2048, "must be at most 2048").default(200),
  GRAVATAR_TIMEOUT_MS: positiveInt.default(3000),
  SYNC_MIN_INTERVAL_SECONDS: positiveInt.default(10),
});

const triggerSchema = z.object({
  SYNC_QUEUE_URL: url,
  /** Cognito gives a trigger 5 s; the enqueue must finish well before. */
  ENQUEUE_TIMEOUT_MS: positiveInt
    .max(4000, "must be at most 4000")
    .default(1500),
});

const httpSchema = z.object({
  /** Defaults to the issuer of the pool in AWS; set for cognito-local. */
  COGNITO_ISSUER: url.transform(withoutTrailingSlash).optional(),
  COGNITO_CLIENT_IDS: list.pipe(
    z.array(z.string()).min(1, "must list at least one app client id"),
  ),
  CORS_ORIGINS: list.default([]),
});

const cdnSchema = z.object({
  CDN_REGISTRY_PREFIX: text
    .default("/cdn-bucket/")
    .refine(
      (value) => value.startsWith("/") && value.endsWith("/"),
      "must start and end with /",
    ),
  CDN_SECRET_NAME: text.default("/core/cloudflare-cdn"),
  CDN_R2_BUCKET: text,
  CDN_R2_ENDPOINT: url.optional(),
  CDN_QUEUE_URL: url.optional(),
  /** The backfill page handler's own queue (`core cdn backfill --remote`). */
  CDN_BACKFILL_QUEUE_URL: url.optional(),
  CDN_BASE_URL: url.transform(withoutTrailingSlash),
  CLOUDFLARE_ZONE_ID: text.optional(),
  CLOUDFLARE_API_TOKEN: text.optional(),
  CLOUDFLARE_API_BASE_URL: url.optional(),
});

const localSchema = z.object({
  /** Folder of the local core's data and its endpoints.json. */
  CORE_HOME: text.default(".core"),
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
export function parseEnv<T extends z.ZodType>(
  schema: T,
  env: Env,
): z.output<T> {
  const result = schema.safeParse(env);
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
  parseEnv(cdnSchema.pick({ CDN_REGISTRY_PREFIX: true }), env),
);
export const localConfig = cached((env) => parseEnv(localSchema, env));
