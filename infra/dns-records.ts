/**
 * Loads `dns/records.yaml`, the domain's records that no resource of this
 * program creates, and rejects every unusable record at once, naming it.
 */
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import {
  AUTOMATIC_TTL,
  checkContent,
  checkPriority,
  checkProxied,
  checkTtl,
  DNS_RECORD_TYPES,
  type DnsRecordType,
  qualify,
} from "./dns-record-fields.ts";
import { InfraDnsRecordsError } from "./errors.ts";
/** Cloudflare's limit for a record comment on the free plan. */
export const MAX_COMMENT_LENGTH = 100;

/** Sub-domains this program manages; records.yaml must leave them alone. */
export const MANAGED_NAMES = ["auth", "api", "cdn", "bounce", "_dmarc"];

/** A validated record, its name fully qualified. */
export interface DnsRecordSpec {
  readonly name: string;
  readonly type: DnsRecordType;
  readonly content: string;
  readonly ttl: number;
  readonly proxied: boolean;
  readonly priority?: number;
  readonly comment?: string;
}

/** Reads and validates the records file at `path` for `domain`. */
export function loadDnsRecords(path: string, domain: string): DnsRecordSpec[] {
  let document: unknown;
  try {
    document = parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new InfraDnsRecordsError(
      path,
      [`cannot be read as YAML: ${(error as Error).message}`],
      { cause: error },
    );
  }

  return parseDnsRecords(document, domain, path);
}

/**
 * Validates a parsed records document: `{ records: [...] }`. Names may be
 * `@`, relative (`www`) or fully qualified inside `domain`.
 */
export function parseDnsRecords(
  document: unknown,
  domain: string,
  file = "dns/records.yaml",
): DnsRecordSpec[] {
  const list = (document as { records?: unknown } | null)?.records;
  if (!Array.isArray(list)) {
    throw new InfraDnsRecordsError(file, ["must have a 'records' list"]);
  }

  const problems: string[] = [];
  const records: DnsRecordSpec[] = [];
  list.forEach((raw, index) => {
    const label = describe(raw, index);
    const found: string[] = [];
    const record = toRecord(raw, domain, found);
    problems.push(...found.map((problem) => `${label}: ${problem}`));
    if (record && found.length === 0) records.push(record);
  });
  problems.push(...conflicts(records, domain));
  if (problems.length > 0) throw new InfraDnsRecordsError(file, problems);

  return records;
}

function describe(raw: unknown, index: number): string {
  const { name, type } = (raw ?? {}) as { name?: unknown; type?: unknown };

  return `record ${index + 1} (${String(name ?? "?")} ${String(type ?? "?")})`;
}

function toRecord(
  raw: unknown,
  domain: string,
  problems: string[],
): DnsRecordSpec | undefined {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    problems.push("must be a map with name, type and content");
    return undefined;
  }
  const fields = raw as Record<string, unknown>;
  const type = String(fields.type ?? "").toUpperCase() as DnsRecordType;
  if (!DNS_RECORD_TYPES.includes(type)) {
    problems.push(`type must be one of ${DNS_RECORD_TYPES.join(", ")}`);
    return undefined;
  }
  const name = qualify(fields.name, domain, problems);
  const content = checkContent(type, fields.content, domain, problems);
  const ttl = fields.ttl ?? AUTOMATIC_TTL;
  const proxied = fields.proxied ?? false;
  checkTtl(ttl, problems);
  checkProxied(type, proxied, ttl, problems);
  const priority = checkPriority(type, fields.priority, problems);
  const comment = fields.comment;
  if (
    comment !== undefined &&
    (typeof comment !== "string" || comment.length > MAX_COMMENT_LENGTH)
  ) {
    problems.push(`comment must be text of at most ${MAX_COMMENT_LENGTH}`);
  }
  if (name === undefined || content === undefined) return undefined;

  return {
    name,
    type,
    content,
    ttl: ttl as number,
    proxied: proxied as boolean,
    ...(priority === undefined ? {} : { priority }),
    ...(typeof comment === "string" ? { comment } : {}),
  };
}

/** Duplicates, CNAMEs beside other records, and names this program owns. */
function conflicts(records: readonly DnsRecordSpec[], domain: string) {
  const problems: string[] = [];
  const managed = new Set(MANAGED_NAMES.map((name) => `${name}.${domain}`));
  const seen = new Set<string>();
  for (const record of records) {
    const label = `${record.name} ${record.type}`;
    const key = `${record.name} ${record.type} ${record.content}`;
    if (seen.has(key)) problems.push(`${label}: is declared twice`);
    seen.add(key);
    if (managed.has(record.name)) {
      problems.push(`${label}: ${record.name} is managed by the program`);
    }
    if (
      record.name === domain &&
      record.type === "TXT" &&
      isSpf(record.content)
    ) {
      problems.push(`${label}: the SPF record comes from spfIncludes`);
    }
  }
  const names = new Map<string, number>();
  for (const record of records) {
    names.set(record.name, (names.get(record.name) ?? 0) + 1);
  }
  for (const record of records) {
    if (record.type === "CNAME" && (names.get(record.name) ?? 0) > 1) {
      problems.push(
        `${record.name} CNAME: a CNAME cannot share its name with other records`,
      );
    }
  }

  return [...new Set(problems)];
}

/**
 * True for an SPF policy, quoted or not: Cloudflare accepts TXT content
 * either way, and a domain with two SPF records fails SPF (RFC 7208, 4.5).
 * The version tag is case-insensitive and ends at a space or the string.
 */
function isSpf(content: string): boolean {
  const text = content.trim().replace(/^"/, "").toLowerCase();

  return /^v=spf1(\s|"|$)/.test(text);
}
