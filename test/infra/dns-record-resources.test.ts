/**
 * How the records of `dns/records.yaml` become resources: names that keep
 * an edited record in place where Cloudflare allows only one value.
 */
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, test } from "vitest";
import { declaredRecords, type Zone } from "../../infra/dns.ts";
import { parseDnsRecords } from "../../infra/dns-records.ts";
import {
  installMocks,
  ofType,
  type Recorded,
  settle,
} from "./pulumi-harness.ts";

const DOMAIN = "example.com";
const ZONE: Zone = { domain: DOMAIN, zoneId: pulumi.output("zone-id") };

/** The record resources one program run declares for `records`. */
async function declare(records: unknown[]): Promise<Recorded[]> {
  const recorded = await installMocks();
  declaredRecords(ZONE, parseDnsRecords({ records }, DOMAIN));
  await settle();

  return ofType(recorded, "cloudflare:index/dnsRecord:DnsRecord");
}

const namesOf = (resources: readonly Recorded[]) =>
  resources.map((resource) => resource.name);

describe("records.yaml resources", () => {
  test("a CNAME given a new target keeps its resource, so Cloudflare updates it in place", async () => {
    const before = await declare([
      { name: "shop", type: "CNAME", content: "shops.example.net" },
    ]);
    const after = await declare([
      { name: "shop", type: "CNAME", content: "storefront.example.org" },
    ]);

    expect(namesOf(after)).toEqual(namesOf(before));
    expect(namesOf(after)).toEqual(["record-cname-shop.example.com"]);
    expect(after[0]?.inputs.content).toBe("storefront.example.org");
  });

  test("a CNAME of an older stack is adopted under its content-hashed name", async () => {
    const [cname] = await declare([
      { name: "shop", type: "CNAME", content: "shops.example.net" },
    ]);

    expect(cname?.aliasNames).toEqual([
      expect.stringMatching(/^record-cname-shop\.example\.com-[0-9a-f]{8}$/),
    ]);
  });

  test("address records at one name stay distinct resources, one per value", async () => {
    const resources = await declare([
      { name: "@", type: "A", content: "192.0.2.10" },
      { name: "@", type: "A", content: "192.0.2.11" },
      { name: "@", type: "TXT", content: '"one"' },
      { name: "@", type: "TXT", content: '"two"' },
    ]);
    const names = namesOf(resources);

    expect(new Set(names).size).toBe(4);
    for (const name of names) {
      expect(name).toMatch(/^record-(a|txt)-example\.com-[0-9a-f]{8}$/);
    }
    expect(resources.flatMap((resource) => resource.aliasNames)).toEqual([]);
  });

  test("an address record given a new value is a new resource", async () => {
    const before = await declare([
      { name: "@", type: "A", content: "192.0.2.10" },
    ]);
    const after = await declare([
      { name: "@", type: "A", content: "192.0.2.20" },
    ]);

    expect(namesOf(after)).not.toEqual(namesOf(before));
  });

  test("a CAA record reaches Cloudflare as flags, tag and the whole value", async () => {
    const value =
      "letsencrypt.org; accounturi=https://acme-v02.api.letsencrypt.org/acme/acct/Ab12; validationmethods=dns-01";
    const [caa] = await declare([
      { name: "@", type: "CAA", content: `128 issue "${value}"` },
    ]);

    expect(caa?.inputs).toMatchObject({
      name: DOMAIN,
      type: "CAA",
      data: { flags: 128, tag: "issue", value },
    });
    expect(caa?.inputs.content).toBeUndefined();
  });

  test("a CAA record keeps the name it had when its content was lower-cased on load", async () => {
    const [written] = await declare([
      { name: "@", type: "CAA", content: '0 ISSUE "Amazon.com"' },
    ]);
    const [lowered] = await declare([
      { name: "@", type: "CAA", content: '0 issue "amazon.com"' },
    ]);

    expect(written?.name).toBe(lowered?.name);
    expect(written?.inputs.data).toEqual({
      flags: 0,
      tag: "issue",
      value: "Amazon.com",
    });
  });
});
