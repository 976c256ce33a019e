/**
 * Runs the whole program under mocks with the example stack file and the
 * committed `dns/records.yaml`, and returns what it declared.
 */
import { loadStackConfig } from "../../infra/config.ts";
import { loadDnsRecords } from "../../infra/dns-records.ts";
import { createCore } from "../../infra/program.ts";
import {
  type HarnessOptions,
  installMocks,
  settle,
  useStackFile,
} from "./pulumi-harness.ts";

/**
 * Declares the estate of `Pulumi.dev.yaml` (with `options.config` over it);
 * resolves once all is recorded.
 */
export async function runCore(options: HarnessOptions = {}) {
  const recorded = await installMocks(options);
  useStackFile(options.config);
  const config = loadStackConfig();
  const records = loadDnsRecords("dns/records.yaml", config.domain);
  const outputs = await createCore(config, { records });
  await settle();

  return { recorded, config, outputs };
}
