/**
 * Checks of one field of a DNS record: its name, its content for its type,
 * its TTL, proxying and MX priority. Each pushes a problem and returns
 * undefined when the value is unusable.
 */
import { isIPv4, isIPv6 } from "node:net";
import { caaProblem } from "./dns-caa.ts";

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

const LABEL = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/;
const PROXIABLE = new Set<string>(["A", "AAAA", "CNAME"]);
const HOST_TYPES = new Set<string>(["CNAME", "MX", "NS"]);

/** The fully qualified, lower-case name, or undefined if unusable. */
export function qualify(
  value: unknown,
  domain: string,
  problems: string[],
): string | undefined {
  if (typeof value !== "string" || value.trim() === "") {
    problems.push("name must be '@', a sub-domain or a name in the domain");
    return undefined;
  }
  const trimmed = value.trim().toLowerCase();
  const name = trimmed.replace(/\.$/, "");
  if (name === "@" || name === domain) return domain;

  const inDomain = name.endsWith(`.${domain}`);
  const relative = inDomain ? name.slice(0, -domain.length - 1) : name;
  const labels = relative.split(".");
  const valid = labels.every(
    (label, index) => LABEL.test(label) || (label === "*" && index === 0),
  );
  if (!valid || relative.length + domain.length + 1 > 253) {
    problems.push(`name '${value}' is not a valid host name`);
    return undefined;
  }
  // A trailing dot makes a name absolute: one outside the domain is no
  // sub-domain of it, and the zone cannot hold it.
  if (trimmed.endsWith(".") && !inDomain) {
    problems.push(
      `name '${value}' is outside ${domain}; write it relative ('www') or ending in .${domain}.`,
    );
    return undefined;
  }

  return `${relative}.${domain}`;
}

/** Host names in content may be `@` for the domain itself. */
export function checkContent(
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

  return normalized(type, content);
}

/**
 * Host names are case-insensitive and may end in a dot. TXT text and CAA
 * values (an `accounturi`, an iodef URL) keep their case.
 */
function normalized(type: DnsRecordType, content: string): string {
  if (type === "TXT" || type === "CAA") return content;

  return content.replace(/\.$/, "").toLowerCase();
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
    case "CAA":
      return caaProblem(content);
  }
}

/**
 * Two or more labels, the last not all digits: a top-level domain never
 * is (RFC 3696, 2), so `192.0.2.25` is an address, which MX, NS and CNAME
 * records cannot point at.
 */
function isHostName(value: string): boolean {
  const labels = value.toLowerCase().split(".");
  const topLevel = labels.at(-1) ?? "";

  return (
    labels.length >= 2 &&
    labels.every((label) => LABEL.test(label)) &&
    !/^\d+$/.test(topLevel)
  );
}

export function checkTtl(ttl: unknown, problems: string[]): void {
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

export function checkProxied(
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

export function checkPriority(
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
