import { beforeAll, describe, expect, test } from "vitest";
import { parseStackConfig } from "../../infra/config.ts";
import { configureZone, createZone } from "../../infra/dns.ts";
import {
  exampleConfigValues,
  installMocks,
  ofType,
  type Recorded,
  resolved,
  settle,
} from "./pulumi-harness.ts";

const EXISTING = "f".repeat(32);
let recorded: Recorded[];
let zoneId: string;
let nameServers: unknown;

beforeAll(async () => {
  recorded = await installMocks();
  const config = parseStackConfig({
    ...exampleConfigValues(),
    zone: EXISTING,
    minTlsVersion: "1.3",
  });
  const zone = createZone(config);
  configureZone(zone, config);
  zoneId = await resolved(zone.zoneId);
  nameServers = zone.nameServers;
  await settle();
});

describe("an existing zone", () => {
  test("is adopted by id, not created", () => {
    expect(zoneId).toBe(EXISTING);
    expect(nameServers).toBeUndefined();
    expect(ofType(recorded, "cloudflare:index/zone:Zone")).toEqual([]);
  });

  test("gets the zone settings, with the configured minimum TLS", () => {
    const settings = ofType(
      recorded,
      "cloudflare:index/zoneSetting:ZoneSetting",
    );

    expect(settings.every(({ inputs }) => inputs.zoneId === EXISTING)).toBe(
      true,
    );
    expect(
      settings.find(({ inputs }) => inputs.settingId === "min_tls_version")
        ?.inputs.value,
    ).toBe("1.3");
  });
});
