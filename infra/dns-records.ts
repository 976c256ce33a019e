/**
 * Loads `dns/records.yaml`, the domain's records that no resource of this
 * program creates, and rejects every unusable record at once, naming it.
 */
import { readFileSync } from "node:fs";
import { isIPv4, isIPv6 } from "node:net";
import { parse } from "yaml";
import { InfraDnsRecordsError } from "./errors.ts";

export const DNS_RECORD_TYPES = [
  "A",
  "AAAA",
  "CNAME",
  "MX",
  "TXT",
  "CAA",
  "NS",
] as const;
export type DnsRecordType = (typeof DNS_RECORD_TYPES)[number];

/** Cloudflare's "automatic" TTL, and its range otherwise (DNS API). */
export const AUTOMATIC_TTL = 1;
export const MIN_TTL = 60;
export const MAX_TTL = 86_400;
/** Cloudflare's limit for a TXT record's content, in characters. */
export const MAX_TXT_LENGTH = 2048;
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

const LABEL = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/;
const CAA = /^(\d{1,3})\s+(issue|issuewild|iodef)\s+"?([^"\s]+)"?$/;
const PROXIABLE = new Set<string>(["A", "AAAA", "CNAME"]);
const HOST_TYPES = new Set<string>(["CNAME", "MX", "NS"]);

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

/** The fully qualified, lower-case name, or undefined if unusable. */
function qualify(
  value: unknown,
  domain: string,
  problems: string[],
): string | undefined {
  if (typeof value !== "string" || value.trim() === "") {
    problems.push("name must be '@', a sub-domain or a name in the domain");
    return undefined;
  }
  const name = value.trim().toLowerCase().replace(/\.$/, "");
  if (name === "@" || name === domain) return domain;

  const relative = name.endsWith(`.${domain}`)
    ? name.slice(0, -domain.length - 1)
    : name;
  const labels = relative.split(".");
  const valid = labels.every(
    (label, index) => LABEL.test(label) || (label === "*" && index === 0),
  );
  if (!valid || relative.length + domain.length + 1 > 253) {
    problems.push(`name '${value}' is not a valid host name`);
    return undefined;
  }

  return `${relative}.${domain}`;
}

/** Host names in content may be `@` for the domain itself. */
function checkContent(
  type: DnsRecordType,
  value: unknown,
  domain: string,
  problems: string[],
): string | undefined {
  if (typeof value !== "string" || value.trim() === "") {
    problems.push("content must be set");
    return undefined;
  }
  const trimmed = value.trim();
  const content = trimmed === "@" && HOST_TYPES.has(type) ? domain : trimmed;
  const problem = contentProblem(type, content);
  if (problem) {
    problems.push(`content ${problem}`);
    return undefined;
  }

  return type === "TXT" ? content : content.replace(/\.$/, "").toLowerCase();
}

function contentProblem(type: DnsRecordType, content: string) {
  switch (type) {
    case "A":
      return isIPv4(content) ? undefined : "must be an IPv4 address";
    case "AAAA":
      return isIPv6(content) ? undefined : "must be an IPv6 address";
    case "CNAME":
    case "MX":
    case "NS":
      return isHostName(content.replace(/\.$/, ""))
        ? undefined
        : "must be a host name";
    case "TXT":
      return content.length <= MAX_TXT_LENGTH
        ? undefined
        : `must be at most ${MAX_TXT_LENGTH} characters`;
    case "CAA": {
      const match = CAA.exec(content);
      return match && Number(match[1]) <= 255
        ? undefined
        : `must look like '0 issue "amazon.com"'`;
    }
  }
}

function isHostName(value: string): boolean {
  const labels = value.toLowerCase().split(".");

  return labels.length >= 2 && labels.every((label) => LABEL.test(label));
}

function checkTtl(ttl: unknown, problems: string[]): void {
  const valid =
    ttl === AUTOMATIC_TTL ||
    (Number.isInteger(ttl) &&
      (ttl as number) >= MIN_TTL &&
      (ttl as number) <= MAX_TTL);
  if (!valid) {
    problems.push(
      `ttl must be ${AUTOMATIC_TTL} (automatic) or ${MIN_TTL} to ${MAX_TTL}`,
    );
  }
}

function checkProxied(
  type: DnsRecordType,
  proxied: unknown,
  ttl: unknown,
  problems: string[],
): void {
  if (typeof proxied !== "boolean") {
    problems.push("proxied must be true or false");
    return;
  }
  if (proxied && !PROXIABLE.has(type)) {
    problems.push(`proxied is only possible for A, AAAA and CNAME`);
  }
  if (proxied && ttl !== AUTOMATIC_TTL) {
    problems.push(`a proxied record has the automatic ttl ${AUTOMATIC_TTL}`);
  }
}

function checkPriority(
  type: DnsRecordType,
  priority: unknown,
  problems: string[],
): number | undefined {
  if (type !== "MX") {
    if (priority !== undefined) problems.push("priority is only for MX");
    return undefined;
  }
  if (!Number.isInteger(priority) || (priority as number) < 0) {
    problems.push("priority must be a whole number from 0 to 65535");
    return undefined;
  }
  if ((priority as number) > 65_535) {
    problems.push("priority must be a whole number from 0 to 65535");
  }

  return priority as number;
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
      record.content.startsWith("v=spf1")
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
