/**
 * Entry point of the Pulumi program (Pulumi.yaml `main`). Validates the
 * stack configuration and `dns/records.yaml` before declaring anything, so
 * a bad key or record stops `pulumi up` with a message naming it.
 */
import { loadStackConfig } from "./config.ts";
import { loadDnsRecords } from "./dns-records.ts";
import { createCore } from "./program.ts";

/** Pulumi runs the default export and publishes what it returns. */
export default async function main() {
  const config = loadStackConfig();
  const records = loadDnsRecords("dns/records.yaml", config.domain);

  return createCore(config, { records });
}
