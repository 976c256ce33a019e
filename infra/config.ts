/**
 * The stack configuration (`Pulumi.<stack>.yaml`), validated once when the
 * program starts. Errors name every bad key with its `api-core:` prefix and
 * echo no value but a bad URL, which is no secret and shows which entry.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { InfraConfigError } from "./errors.ts";

/** The configuration namespace: the project name in Pulumi.yaml. */
export const CONFIG_NAMESPACE = "api-core";

/** Retention values CloudWatch Logs accepts (PutRetentionPolicy API). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827,
  2192, 2557, 2922, 3288, 3653,
] as const;

const HOSTNAME =
  /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const CLOUDFLARE_ID = /^[0-9a-f]{32}$/;

const text = z.string().trim().min(1, "must not be empty");
const flag = z.enum(["true", "false"], { error: "must be true or false" });
const httpUrl = text.pipe(
  z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }),
);
/**
 * Cognito's CallbackURLs reference: "HTTPS over HTTP except for
 * http://localhost for testing purposes only"; 127.0.0.1 is not named, so
 * it is refused here rather than by CreateUserPoolClient mid-deploy.
 */
const redirectUrl = httpUrl.refine(
  (value) => {
    const url = new URL(value);
    return url.protocol === "https:" || url.hostname === "localhost";
  },
  {
    error: (issue) =>
      `'${String(issue.input)}' must use https: Cognito takes http only for localhost`,
  },
);
const origin = httpUrl.refine(
  (value) => new URL(value).origin === value,
  "must be an origin such as https://www.example.com, without a path",
);
const positive = z.number().int("must be whole").positive("must be > 0");

const schema = z.object({
  domain: text
    .toLowerCase()
    .regex(HOSTNAME, "must be a domain name such as example.com"),
  environment: text.regex(
    /^[a-z][a-z0-9-]{0,15}$/,
    "must be 1 to 16 lower-case letters, digits or '-', starting with a letter",
  ),
  production: flag.default("false").transform((value) => value === "true"),
  cloudflareAccountId: text.regex(CLOUDFLARE_ID, "must be 32 hex digits"),
  zone: z.union([z.literal("create"), text.regex(CLOUDFLARE_ID)], {
    error: "must be 'create' or the 32-hex-digit id of an existing zone",
  }),
  corsOrigins: z.array(origin).default([]),
  callbackUrls: z.array(redirectUrl).min(1, "must list at least one URL"),
  logoutUrls: z.array(redirectUrl).min(1, "must list at least one URL"),
  logRetentionDays: z.coerce
    .number()
    .refine(
      (days) => (LOG_RETENTION_DAYS as readonly number[]).includes(days),
      `must be one of ${LOG_RETENTION_DAYS.join(", ")}`,
    ),
  minTlsVersion: z
    .enum(["1.0", "1.1", "1.2", "1.3"], {
      error: "must be 1.0, 1.1, 1.2 or 1.3",
    })
    .default("1.2"),
  resyncSchedule: text
    .regex(/^(cron|rate)\(.+\)$/, "must be a cron(...) or rate(...) expression")
    .default("cron(0 3 * * ? *)"),
  dmarcPolicy: z
    .enum(["none", "quarantine", "reject"], {
      error: "must be none, quarantine or reject",
    })
    .default("quarantine"),
  dmarcReportEmail: z.email("must be an email address").optional(),
  spfIncludes: z.array(text.regex(HOSTNAME, "must be a domain")).default([]),
  apiThrottle: z
    .object({ burstLimit: positive, rateLimit: positive })
    .default({ burstLimit: 100, rateLimit: 50 }),
});

/** The validated stack configuration. */
export type StackConfig = z.output<typeof schema>;

/** Keys whose value is YAML structure, which Pulumi hands over as JSON. */
const STRUCTURED_KEYS = new Set([
  "corsOrigins",
  "callbackUrls",
  "logoutUrls",
  "spfIncludes",
  "apiThrottle",
]);

/** Every key the program reads, for loading and for the README table. */
export const CONFIG_KEYS = Object.keys(schema.shape);

/**
 * Validates raw configuration values (strings, as Pulumi stores them) and
 * throws an InfraConfigError naming each bad or unknown key.
 */
export function parseStackConfig(
  raw: Readonly<Record<string, string | undefined>>,
): StackConfig {
  const unknown = unknownKeys(Object.keys(raw));
  const { values, unparsable } = decodeStructured(raw);
  if (unparsable.length > 0) {
    throw new InfraConfigError([...unknown, ...unparsable]);
  }

  const result = schema.safeParse(values);
  if (result.success && unknown.length === 0) return result.data;

  const invalid = result.success ? [] : describeIssues(result.error, values);
  throw new InfraConfigError([...unknown, ...invalid]);
}

/** The known keys' values, lists and maps decoded from their JSON. */
function decodeStructured(raw: Readonly<Record<string, string | undefined>>) {
  const unparsable: string[] = [];
  const values: Record<string, unknown> = {};
  for (const key of CONFIG_KEYS) {
    const value = raw[key];
    if (value === undefined || !STRUCTURED_KEYS.has(key)) {
      values[key] = value;
      continue;
    }
    try {
      values[key] = JSON.parse(value);
    } catch {
      unparsable.push(`${CONFIG_NAMESPACE}:${key} is not a YAML list or map`);
    }
  }

  return { values, unparsable };
}

function describeIssues(
  error: z.ZodError,
  values: Readonly<Record<string, unknown>>,
): string[] {
  return error.issues.map((issue) => {
    const [key, ...rest] = issue.path.map(String);
    const where = [`${CONFIG_NAMESPACE}:${key}`, ...rest].join(".");
    const missing = key !== undefined && values[key] === undefined;

    return `${where} ${missing ? "is not set" : issue.message}`;
  });
}

/**
 * A misspelled key would be ignored and its default used, so every key of
 * the namespace must be one the program reads.
 */
function unknownKeys(keys: readonly string[]): string[] {
  const known = [...CONFIG_KEYS].sort().join(", ");

  return keys
    .filter((key) => !CONFIG_KEYS.includes(key))
    .map(
      (key) =>
        `${CONFIG_NAMESPACE}:${key} is not a key this program reads; the keys are ${known}`,
    );
}

/**
 * Reads and validates the current stack's configuration: every key of the
 * program's namespace, so unknown ones are reported too.
 */
export function loadStackConfig(): StackConfig {
  const config = new pulumi.Config(CONFIG_NAMESPACE);
  const prefix = `${CONFIG_NAMESPACE}:`;
  const stackKeys = Object.keys(pulumi.runtime.allConfig())
    .filter((key) => key.startsWith(prefix))
    .map((key) => key.slice(prefix.length));
  const keys = new Set([...CONFIG_KEYS, ...stackKeys]);

  return parseStackConfig(
    Object.fromEntries([...keys].map((key) => [key, config.get(key)])),
  );
}

/** The prefix of every physical resource name in this stack. */
export function namePrefix(config: StackConfig): string {
  return `core-${config.environment}`;
}
