/** The CDN registry as stored in SSM Parameter Store. */
import {
  paginateGetParametersByPath,
  type SSMClient,
} from "@aws-sdk/client-ssm";
import { CdnRegistryUnavailableError } from "../cdn/errors.ts";
import type { RegistrySource } from "../cdn/ports.ts";
import { parseRegistry, type RegistryParameter } from "../cdn/registry.ts";
import type { Registry } from "../cdn/types.ts";

/**
 * Every parameter under `prefix`, recursively and over all pages, parsed
 * into a registry. Throws CdnRegistryError for unusable entries and
 * CdnRegistryUnavailableError when SSM cannot be read.
 */
export async function loadRegistry(
  client: SSMClient,
  prefix: string,
): Promise<Registry> {
  const parameters: RegistryParameter[] = [];
  try {
    const pages = paginateGetParametersByPath(
      { client },
      { Path: prefix.replace(/\/+$/, ""), Recursive: true },
    );
    for await (const page of pages) {
      for (const { Name, Value } of page.Parameters ?? []) {
        if (Name && Value !== undefined) {
          parameters.push({ name: Name, value: Value });
        }
      }
    }
  } catch (error) {
    throw new CdnRegistryUnavailableError(
      `Could not read the CDN registry under ${prefix}: ${(error as Error).name}`,
      { cause: error },
    );
  }

  return parseRegistry(parameters, prefix);
}

/**
 * A RegistrySource that re-reads SSM at most every `maxAgeMs`, so a warm
 * Lambda sees a newly registered bucket within that time.
 */
export function ssmRegistrySource(
  client: SSMClient,
  prefix: string,
  maxAgeMs: number,
): RegistrySource {
  let cached: { registry: Registry; expires: number } | undefined;

  return {
    async load() {
      const now = Date.now();
      if (cached && cached.expires > now) return cached.registry;

      const registry = await loadRegistry(client, prefix);
      cached = { registry, expires: now + maxAgeMs };

      return registry;
    },
  };
}
