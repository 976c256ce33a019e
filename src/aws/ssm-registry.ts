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
 * A fresh read is skipped when the cache is younger than this, so a stream
 * of events for an unregistered bucket cannot hammer SSM.
 */
export const REGISTRY_MIN_REFRESH_MS = 5_000;

/**
 * A RegistrySource that re-reads SSM at most every `maxAgeMs`, or sooner
 * when asked for a fresh copy, so a warm Lambda sees a newly registered
 * bucket as soon as its first event arrives. Powertools' parameters utility
 * caches by age alone, so this source keeps its own few lines of cache.
 */
export function ssmRegistrySource(
  client: SSMClient,
  prefix: string,
  maxAgeMs: number,
): RegistrySource {
  let cached: { registry: Registry; readAt: number } | undefined;

  return {
    async load(options = {}) {
      const now = Date.now();
      const age = cached ? now - cached.readAt : Number.POSITIVE_INFINITY;
      const maxAge = options.fresh
        ? Math.min(maxAgeMs, REGISTRY_MIN_REFRESH_MS)
        : maxAgeMs;
      if (cached && age < maxAge) return cached.registry;

      const registry = await loadRegistry(client, prefix);
      cached = { registry, readAt: now };

      return registry;
    },
  };
}
