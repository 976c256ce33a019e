/**
 * The CDN registry: SSM parameters `<prefix><dir>` whose values are bucket
 * names. Parsing rejects every unusable entry at once, naming parameters.
 */
import { CdnRegistryError, type RegistryProblem } from "./errors.ts";
import type { Registry, RegistryEntry } from "./types.ts";

/** A parameter as read from SSM. */
export interface RegistryParameter {
  readonly name: string;
  readonly value: string;
}

/** Path segments of lower-case letters, digits, `-` and `_`. */
const DIR_PATTERN = /^[a-z0-9_-]+(\/[a-z0-9_-]+)*$/;

/**
 * General-purpose bucket naming rules
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html).
 */
const BUCKET_PATTERN = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const BUCKET_RESERVED_PREFIXES = ["xn--", "sthree-", "amzn-s3-demo-"];
const BUCKET_RESERVED_SUFFIXES = [
  "-s3alias",
  "--ol-s3",
  ".mrap",
  "--x-s3",
  "--table-s3",
];
const IP_ADDRESS = /^\d+\.\d+\.\d+\.\d+$/;

/** Why `name` is not a valid S3 bucket name, or undefined if it is. */
export function bucketNameProblem(name: string): string | undefined {
  if (!BUCKET_PATTERN.test(name)) {
    return "must be 3 to 63 lower-case letters, digits, '.' or '-', starting and ending with a letter or digit";
  }
  if (name.includes("..")) return "must not contain '..'";
  if (IP_ADDRESS.test(name)) return "must not look like an IP address";
  if (BUCKET_RESERVED_PREFIXES.some((prefix) => name.startsWith(prefix))) {
    return `must not start with ${BUCKET_RESERVED_PREFIXES.join(", ")}`;
  }
  if (BUCKET_RESERVED_SUFFIXES.some((suffix) => name.endsWith(suffix))) {
    return `must not end with ${BUCKET_RESERVED_SUFFIXES.join(", ")}`;
  }

  return undefined;
}

/**
 * Turns the parameters under `prefix` into a registry sorted by directory.
 * Besides the rules in the issue, nested directories (`anime` and
 * `anime/covers`) are rejected: their R2 prefixes overlap, so a backfill of
 * one with deletion would remove the other's objects.
 */
export function parseRegistry(
  parameters: readonly RegistryParameter[],
  prefix: string,
): Registry {
  const problems: RegistryProblem[] = [];
  const entries: RegistryEntry[] = [];

  for (const { name, value } of parameters) {
    const entry = toEntry(name, value.trim(), prefix, problems);
    if (entry) entries.push(entry);
  }
  problems.push(...sharedBuckets(entries), ...nestedDirs(entries));
  if (problems.length > 0) throw new CdnRegistryError(problems);

  return entries.sort((a, b) => (a.dir < b.dir ? -1 : a.dir > b.dir ? 1 : 0));
}

function toEntry(
  parameter: string,
  bucket: string,
  prefix: string,
  problems: RegistryProblem[],
): RegistryEntry | undefined {
  const report = (message: string) => {
    problems.push({ parameters: [parameter], message });
  };
  if (!parameter.startsWith(prefix)) {
    report(`is not under the registry prefix ${prefix}`);
    return undefined;
  }

  const dir = parameter.slice(prefix.length);
  if (!DIR_PATTERN.test(dir)) {
    report(
      `directory '${dir}' must be lower-case letters, digits, '-' and '_', with '/' between segments`,
    );
    return undefined;
  }
  const bucketProblem = bucketNameProblem(bucket);
  if (bucketProblem) {
    report(`bucket name '${bucket}' ${bucketProblem}`);
    return undefined;
  }

  return { dir, bucket, parameter };
}

function sharedBuckets(entries: readonly RegistryEntry[]): RegistryProblem[] {
  const byBucket = new Map<string, RegistryEntry[]>();
  for (const entry of entries) {
    byBucket.set(entry.bucket, [...(byBucket.get(entry.bucket) ?? []), entry]);
  }

  return [...byBucket]
    .filter(([, group]) => group.length > 1)
    .map(([bucket, group]) => ({
      parameters: group.map((entry) => entry.parameter),
      message: `register bucket '${bucket}' under more than one directory`,
    }));
}

function nestedDirs(entries: readonly RegistryEntry[]): RegistryProblem[] {
  return entries.flatMap((outer) =>
    entries
      .filter((inner) => inner.dir.startsWith(`${outer.dir}/`))
      .map((inner) => ({
        parameters: [outer.parameter, inner.parameter],
        message: `directory '${inner.dir}' is nested in '${outer.dir}'`,
      })),
  );
}
