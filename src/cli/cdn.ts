import { SSMClient } from "@aws-sdk/client-ssm";
import type { Command } from "commander";
import { clientOptions } from "../aws/clients.ts";
import { loadRegistry } from "../aws/ssm-registry.ts";
import { parseRegistry } from "../cdn/registry.ts";
import type { Registry } from "../cdn/types.ts";
import { awsConfig, cdnRegistryConfig, localConfig } from "../config.ts";
import { readEndpointsFile } from "../local/endpoints-file.ts";
import { registerBackfillCommands } from "./cdn-backfill.ts";

/** Adds the `cdn` commands to the CLI. */
export function registerCdnCommands(program: Command): void {
  const cdn = program
    .command("cdn")
    .description("the CDN: registered buckets mirrored into R2");
  registerRegistryCommand(cdn);
  registerBackfillCommands(cdn);
}

interface RegistryFlags {
  local?: boolean;
  ssmEndpoint?: string;
  json?: boolean;
}

/** `core cdn registry`: prints each registered directory and its bucket. */
export function registerRegistryCommand(cdn: Command): void {
  cdn
    .command("registry")
    .description("print the registry: R2 directory → source bucket")
    .option("--local", "read the running local core's registry")
    .option("--ssm-endpoint <url>", "read SSM at this endpoint instead of AWS")
    .option("--json", "print JSON instead of a table")
    .action(async function printRegistry(flags: RegistryFlags) {
      const registry = await readRegistry(flags);
      console.log(
        flags.json
          ? JSON.stringify(registry, null, 2)
          : formatRegistry(registry),
      );
    });
}

async function readRegistry(flags: RegistryFlags): Promise<Registry> {
  const prefix = cdnRegistryConfig().CDN_REGISTRY_PREFIX;
  const aws = awsConfig();
  if (flags.ssmEndpoint) {
    return ssmRegistry(aws.AWS_REGION, flags.ssmEndpoint, prefix);
  }
  if (!flags.local) {
    return ssmRegistry(aws.AWS_REGION, aws.SSM_ENDPOINT, prefix);
  }

  // A local core without an SSM engine lists its registry in endpoints.json.
  const endpoints = await readEndpointsFile(localConfig().CORE_HOME);
  if (endpoints.ssm) {
    return ssmRegistry(endpoints.region, endpoints.ssm.endpoint, prefix);
  }
  const parameters = Object.entries(endpoints.s3.buckets).map(
    ([dir, bucket]) => ({ name: `${prefix}${dir}`, value: bucket }),
  );

  return parseRegistry(parameters, prefix);
}

function ssmRegistry(
  region: string,
  endpoint: string | undefined,
  prefix: string,
): Promise<Registry> {
  const client = new SSMClient(clientOptions(region, endpoint));

  return loadRegistry(client, prefix);
}

/** Two aligned columns, or a sentence when nothing is registered. */
export function formatRegistry(registry: Registry): string {
  if (registry.length === 0) return "No buckets are registered.";

  const width = Math.max(3, ...registry.map((entry) => entry.dir.length + 1));
  const rows = registry.map(
    (entry) => `${`${entry.dir}/`.padEnd(width)}  ${entry.bucket}`,
  );

  return [`${"DIR".padEnd(width)}  BUCKET`, ...rows].join("\n");
}
