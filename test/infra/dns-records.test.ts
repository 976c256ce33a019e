import { describe, expect, test } from "vitest";
import { loadDnsRecords, parseDnsRecords } from "../../infra/dns-records.ts";
import { InfraDnsRecordsError } from "../../infra/errors.ts";

const DOMAIN = "example.com";

function problemsOf(records: unknown[]): string[] {
  try {
    parseDnsRecords({ records }, DOMAIN);
  } catch (error) {
    expect(error).toBeInstanceOf(InfraDnsRecordsError);
    return [...(error as InfraDnsRecordsError).problems];
  }
  throw new Error("the records were accepted");
}

describe("dns/records.yaml", () => {
  test("the committed file is valid and fully qualifies names", () => {
    const records = loadDnsRecords("dns/records.yaml", DOMAIN);

    expect(records).toContainEqual(
      expect.objectContaining({ name: DOMAIN, type: "A", proxied: true }),
    );
    expect(records).toContainEqual(
      expect.objectContaining({
        name: `www.${DOMAIN}`,
        type: "CNAME",
        content: DOMAIN,
      }),
    );
  });

  test("accepts each supported type with sensible defaults", () => {
    const records = parseDnsRecords(
      {
        records: [
          { name: "@", type: "AAAA", content: "2001:db8::1" },
          {
            name: "@",
            type: "MX",
            content: "mx.mail.example.net.",
            priority: 10,
          },
          { name: "@", type: "TXT", content: "google-site-verification=x" },
          { name: "@", type: "CAA", content: '0 issue "amazon.com"' },
          { name: "lab.example.com", type: "NS", content: "ns1.example.net" },
          { name: "*.media", type: "A", content: "192.0.2.1", ttl: 300 },
        ],
      },
      DOMAIN,
    );

    expect(records.map((record) => record.name)).toEqual([
      DOMAIN,
      DOMAIN,
      DOMAIN,
      DOMAIN,
      `lab.${DOMAIN}`,
      `*.media.${DOMAIN}`,
    ]);
    expect(records[1]).toMatchObject({
      content: "mx.mail.example.net",
      priority: 10,
      ttl: 1,
      proxied: false,
    });
  });

  test.each([
    [
      "an unknown type",
      { name: "www", type: "SPF", content: "x" },
      "record 1 (www SPF): type must be one of",
    ],
    [
      "an A record that is not an IPv4 address",
      { name: "www", type: "A", content: "2001:db8::1" },
      "record 1 (www A): content must be an IPv4 address",
    ],
    [
      "an AAAA record that is not an IPv6 address",
      { name: "www", type: "AAAA", content: "192.0.2.1" },
      "record 1 (www AAAA): content must be an IPv6 address",
    ],
    [
      "a CNAME to something that is not a host name",
      { name: "www", type: "CNAME", content: "http://x.example.net" },
      "record 1 (www CNAME): content must be a host name",
    ],
    [
      "an MX whose content carries the priority",
      { name: "@", type: "MX", content: "10 mx.example.net", priority: 10 },
      "record 1 (@ MX): content must be a host name",
    ],
    [
      "an MX pointing at an address rather than a host",
      { name: "@", type: "MX", content: "192.0.2.25", priority: 10 },
      "record 1 (@ MX): content must be a host name",
    ],
    [
      "an MX to a single-label name",
      { name: "@", type: "MX", content: "mailserver", priority: 10 },
      "record 1 (@ MX): content must be a host name",
    ],
    [
      "an NS delegation to a single-label name",
      { name: "lab", type: "NS", content: "ns1" },
      "record 1 (lab NS): content must be a host name",
    ],
    [
      "an NS delegation to an address",
      { name: "lab", type: "NS", content: "192.0.2.53" },
      "record 1 (lab NS): content must be a host name",
    ],
    [
      "an NS delegation with a port",
      { name: "lab", type: "NS", content: "ns1.example.net:53" },
      "record 1 (lab NS): content must be a host name",
    ],
    [
      "an MX without priority",
      { name: "@", type: "MX", content: "mx.example.net" },
      "record 1 (@ MX): priority must be a whole number",
    ],
    [
      "a priority on a record other than MX",
      { name: "www", type: "A", content: "192.0.2.1", priority: 5 },
      "record 1 (www A): priority is only for MX",
    ],
    [
      "a malformed CAA record",
      { name: "@", type: "CAA", content: "issue amazon.com" },
      "record 1 (@ CAA): content must look like",
    ],
    [
      "a TXT record over Cloudflare's length limit",
      { name: "big", type: "TXT", content: "x".repeat(2049) },
      "record 1 (big TXT): content must be at most 2048",
    ],
    [
      "a missing content",
      { name: "www", type: "A" },
      "record 1 (www A): content must be set",
    ],
    [
      "an invalid name",
      { name: "bad_name-.", type: "A", content: "192.0.2.1" },
      "record 1 (bad_name-. A): name 'bad_name-.' is not a valid host name",
    ],
    [
      "an absolute name outside the domain",
      { name: "www.example.org.", type: "CNAME", content: "x.example.net" },
      "record 1 (www.example.org. CNAME): name 'www.example.org.' is outside example.com",
    ],
    [
      "an absolute name that only ends like the domain",
      { name: "notexample.com.", type: "A", content: "192.0.2.1" },
      "record 1 (notexample.com. A): name 'notexample.com.' is outside example.com",
    ],
    [
      "a TTL below Cloudflare's minimum",
      { name: "www", type: "A", content: "192.0.2.1", ttl: 30 },
      "record 1 (www A): ttl must be 1 (automatic) or 60 to 86400",
    ],
    [
      "a TTL that is not a number",
      { name: "www", type: "A", content: "192.0.2.1", ttl: "1h" },
      "record 1 (www A): ttl must be 1 (automatic)",
    ],
    [
      "a proxied TXT record",
      { name: "www", type: "TXT", content: "x", proxied: true },
      "record 1 (www TXT): proxied is only possible for A, AAAA and CNAME",
    ],
    [
      "a proxied record with a fixed TTL",
      { name: "www", type: "A", content: "192.0.2.1", proxied: true, ttl: 300 },
      "record 1 (www A): a proxied record has the automatic ttl 1",
    ],
    [
      "a record that is not a map",
      "www A 192.0.2.1",
      "record 1 (? ?): must be a map",
    ],
  ])("rejects %s, naming the record", (_, record, message) => {
    const problems = problemsOf([record]);

    expect(problems).toContainEqual(expect.stringContaining(message));
  });

  test("takes absolute names in the domain, and relative names as sub-domains", () => {
    const records = parseDnsRecords(
      {
        records: [
          { name: "example.com.", type: "TXT", content: "apex" },
          { name: "WWW.Example.com.", type: "A", content: "192.0.2.1" },
          { name: "www.example.org", type: "A", content: "192.0.2.2" },
        ],
      },
      DOMAIN,
    );

    expect(records.map((record) => record.name)).toEqual([
      DOMAIN,
      `www.${DOMAIN}`,
      `www.example.org.${DOMAIN}`,
    ]);
  });

  test.each([
    '0 issue "letsencrypt.org"',
    '0 issue "letsencrypt.org; validationmethods=dns-01"',
    '0 issue "letsencrypt.org;accounturi=https://acme-v02.api.letsencrypt.org/acme/acct/Ab12; validationmethods=dns-01"',
    '0 issuewild ";"',
    '0 issuemail "letsencrypt.org"',
    '128 iodef "mailto:Security@example.com"',
    '0 iodef "https://reports.example.com/caa"',
    "0 ISSUE amazon.com",
  ])("accepts the CAA record %s, keeping its case", (content) => {
    const [record] = parseDnsRecords(
      { records: [{ name: "@", type: "CAA", content: ` ${content} ` }] },
      DOMAIN,
    );

    expect(record?.content).toBe(content);
  });

  test.each([
    ['0 issue "letsencrypt.org validationmethods=dns-01"', "content value"],
    ['0 issue "letsencrypt.org; validationmethods"', "content value"],
    ['0 issue "letsencrypt.org; ; validationmethods=dns-01"', "content value"],
    ['0 issue "-letsencrypt.org"', "content value"],
    ['0 issue ""', "content value"],
    ['256 issue "letsencrypt.org"', "content flags must be 0 to 255"],
    ['0 contactemail "caa@example.com"', "content tag must be one of"],
    ['0 iodef "security@example.com"', "content iodef value must be"],
    ['0 iodef "ftp://reports.example.com/"', "content iodef value must be"],
    ["0 issue letsencrypt.org; validationmethods=dns-01", "content must look"],
  ])("rejects the CAA record %s, naming the record", (content, message) => {
    const problems = problemsOf([{ name: "@", type: "CAA", content }]);

    expect(problems).toEqual([
      expect.stringContaining(`record 1 (@ CAA): ${message}`),
    ]);
  });

  test("rejects a record declared twice", () => {
    const record = { name: "www", type: "A", content: "192.0.2.1" };

    expect(
      problemsOf([record, { ...record, name: "WWW.example.com" }]),
    ).toEqual(["www.example.com A: is declared twice"]);
  });

  test("rejects a CNAME beside other records of the same name", () => {
    const problems = problemsOf([
      { name: "shop", type: "CNAME", content: "shops.example.net" },
      { name: "shop", type: "TXT", content: "verification" },
    ]);

    expect(problems).toEqual([
      "shop.example.com CNAME: a CNAME cannot share its name with other records",
    ]);
  });

  test("rejects names and records the program manages itself", () => {
    const problems = problemsOf([
      { name: "api", type: "CNAME", content: "elsewhere.example.net" },
      { name: "@", type: "TXT", content: "v=spf1 include:x.example.net ~all" },
    ]);

    expect(problems).toEqual([
      "api.example.com CNAME: api.example.com is managed by the program",
      "example.com TXT: the SPF record comes from spfIncludes",
    ]);
  });

  test("rejects a second SPF record on the apex however it is quoted or cased", () => {
    for (const content of [
      '"v=spf1 include:x.example.net ~all"',
      ' "V=SPF1 -all"',
      '"v=spf1 ip4:192.0.2.1" " ~all"',
      "v=spf1",
    ]) {
      expect(
        problemsOf([{ name: "@", type: "TXT", content }]),
        content,
      ).toEqual(["example.com TXT: the SPF record comes from spfIncludes"]);
    }
  });

  test("keeps apex TXT records that only look like SPF, and SPF on other names", () => {
    const records = parseDnsRecords(
      {
        records: [
          { name: "@", type: "TXT", content: '"v=spf10 not a policy"' },
          { name: "@", type: "TXT", content: '"google-site-verification=abc"' },
          { name: "mail", type: "TXT", content: '"v=spf1 -all"' },
        ],
      },
      DOMAIN,
    );

    expect(records.map((record) => record.content)).toEqual([
      '"v=spf10 not a policy"',
      '"google-site-verification=abc"',
      '"v=spf1 -all"',
    ]);
  });

  test("reports every bad record at once, and a file without a list", () => {
    const problems = problemsOf([
      { name: "a", type: "A", content: "nope" },
      { name: "b", type: "A", content: "192.0.2.1" },
      { name: "c", type: "MX", content: "mx.example.net", priority: -1 },
    ]);

    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^record 1 \(a A\)/);
    expect(problems[1]).toMatch(/^record 3 \(c MX\)/);
    expect(() => parseDnsRecords({ record: [] }, DOMAIN)).toThrow(
      "must have a 'records' list",
    );
  });
});
