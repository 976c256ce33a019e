/**
 * The Cloudflare zone: created or adopted, its TLS settings, the domain's
 * SPF and DMARC records, and every record of `dns/records.yaml`.
 */
import { createHash } from "node:crypto";
import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "./config.ts";
import { parseCaa } from "./dns-caa.ts";
import type { DnsRecordSpec } from "./dns-records.ts";
import { InfraArgumentError } from "./errors.ts";

/** The zone every record goes into. */
export interface Zone {
  readonly domain: string;
  readonly zoneId: pulumi.Output<string>;
  /** Set when this stack created the zone: delegate the domain to these. */
  readonly nameServers?: pulumi.Output<string[]>;
}

/** Cloudflare's automatic TTL. */
const AUTOMATIC_TTL = 1;
/** TTL for records ACM and SES poll while validating: short, for retries. */
export const VALIDATION_TTL = 300;

/** Creates the zone, or adopts the one named in configuration. */
export function createZone(config: StackConfig): Zone {
  if (config.zone !== "create") {
    return { domain: config.domain, zoneId: pulumi.output(config.zone) };
  }
  const zone = new cloudflare.Zone(
    "zone",
    {
      account: { id: config.cloudflareAccountId },
      name: config.domain,
      type: "full",
    },
    { protect: true },
  );

  return {
    domain: config.domain,
    zoneId: zone.id,
    nameServers: zone.nameServers,
  };
}

/** The zone settings: strict TLS to origins, modern TLS to visitors. */
export function configureZone(zone: Zone, config: StackConfig): void {
  const settings: Record<string, string> = {
    ssl: "strict",
    tls_1_3: "on",
    min_tls_version: config.minTlsVersion,
    always_use_https: "on",
    automatic_https_rewrites: "on",
  };
  for (const [settingId, value] of Object.entries(settings)) {
    new cloudflare.ZoneSetting(`zone-${settingId.replaceAll("_", "-")}`, {
      zoneId: zone.zoneId,
      settingId,
      value,
    });
  }
}

export interface RecordArgs {
  readonly name: pulumi.Input<string>;
  readonly type: string;
  readonly content: pulumi.Input<string>;
  readonly ttl?: number;
  readonly proxied?: boolean;
  readonly priority?: number;
  readonly comment?: string;
}

/** One record in the zone; not proxied unless asked. */
export function dnsRecord(
  name: string,
  zone: Zone,
  args: RecordArgs,
  opts?: pulumi.CustomResourceOptions,
): cloudflare.DnsRecord {
  return new cloudflare.DnsRecord(
    name,
    {
      zoneId: zone.zoneId,
      name: args.name,
      type: args.type,
      content: args.content,
      ttl: args.ttl ?? AUTOMATIC_TTL,
      proxied: args.proxied ?? false,
      ...(args.priority === undefined ? {} : { priority: args.priority }),
      comment: args.comment ?? "managed by api-core (Pulumi)",
    },
    opts,
  );
}

/** The domain's SPF and DMARC policies. */
export function mailPolicyRecords(zone: Zone, config: StackConfig): void {
  const includes = ["amazonses.com", ...config.spfIncludes]
    .map((domain) => `include:${domain}`)
    .join(" ");
  dnsRecord("spf", zone, {
    name: zone.domain,
    type: "TXT",
    content: `"v=spf1 ${includes} ~all"`,
  });
  const reports = config.dmarcReportEmail
    ? ` rua=mailto:${config.dmarcReportEmail};`
    : "";
  dnsRecord("dmarc", zone, {
    name: `_dmarc.${zone.domain}`,
    type: "TXT",
    content: `"v=DMARC1; p=${config.dmarcPolicy};${reports}"`,
  });
}

/**
 * The records of `dns/records.yaml`. Resource names derive from the record,
 * never from its place in the file, so reordering the file changes nothing.
 */
export function declaredRecords(
  zone: Zone,
  records: readonly DnsRecordSpec[],
): cloudflare.DnsRecord[] {
  return records.map((record) => {
    const resource = recordResourceName(record);
    if (record.type === "CAA") return caaRecord(resource, zone, record);

    return dnsRecord(resource, zone, record, recordOptions(record));
  });
}

/**
 * A name has at most one CNAME (the records file is checked for that), so
 * a CNAME is named after its name alone: a new target is an in-place
 * update. Cloudflare updates `content` in place (only `zoneId` forces a
 * replacement), whereas a new resource would be created before the old one
 * is deleted, and Cloudflare refuses a second CNAME at a name (81053).
 * Other types may hold several values at one name, so the content is part
 * of their resource name.
 */
export function recordResourceName(record: DnsRecordSpec): string {
  if (record.type === "CNAME") return `record-cname-${record.name}`;

  return contentHashedName(record);
}

function contentHashedName(record: DnsRecordSpec): string {
  // CAA content once was lower-cased when loaded; hashing it so keeps the
  // names of CAA records deployed then.
  const content =
    record.type === "CAA" ? record.content.toLowerCase() : record.content;
  const digest = createHash("sha256")
    .update(`${record.name} ${record.type} ${content}`)
    .digest("hex")
    .slice(0, 8);

  return `record-${record.type.toLowerCase()}-${record.name}-${digest}`;
}

/**
 * Stacks deployed before CNAMEs were named by name alone hold each CNAME
 * under its content-hashed name; the alias lets them keep it in place
 * rather than create a second CNAME beside it.
 */
function recordOptions(
  record: DnsRecordSpec,
): pulumi.CustomResourceOptions | undefined {
  if (record.type !== "CNAME") return undefined;

  return { aliases: [{ name: contentHashedName(record) }] };
}

/**
 * Cloudflare takes CAA records as structured data, not content. The
 * records file was validated, so its content always parses.
 */
function caaRecord(resource: string, zone: Zone, record: DnsRecordSpec) {
  const caa = parseCaa(record.content);
  if (!caa) {
    throw new InfraArgumentError(`${resource}: content is not a CAA record`);
  }

  return new cloudflare.DnsRecord(resource, {
    zoneId: zone.zoneId,
    name: record.name,
    type: "CAA",
    ttl: record.ttl,
    data: { flags: caa.flags, tag: caa.tag, value: caa.value },
    comment: record.comment ?? "managed by api-core (Pulumi)",
  });
}
