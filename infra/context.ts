/**
 * What every part of the program shares: the validated configuration, the
 * account and region it deploys to, and the names derived from them.
 */
import type { StackConfig } from "./config.ts";
import type { Zone } from "./dns.ts";

/** Service name and metrics namespace the handlers report under. */
export const POWERTOOLS_NAMESPACE = "api-core";

export interface DeployContext {
  readonly config: StackConfig;
  readonly accountId: string;
  readonly region: string;
  /** Prefix of physical names, e.g. `core-dev`. */
  readonly prefix: string;
  readonly zone: Zone;
  /** Where the Lambda bundles are, relative to the project root. */
  readonly codeDir: string;
}

/** `https://cdn.<domain>`, where mirrored objects and avatars are served. */
export function cdnHost(context: DeployContext): string {
  return `cdn.${context.config.domain}`;
}

/** Environment every handler reads for logs and metrics. */
export function powertoolsEnvironment(): Record<string, string> {
  return {
    POWERTOOLS_SERVICE_NAME: POWERTOOLS_NAMESPACE,
    POWERTOOLS_METRICS_NAMESPACE: POWERTOOLS_NAMESPACE,
  };
}

/** An ARN in this stack's account and region. */
export function arn(
  context: DeployContext,
  service: string,
  resource: string,
): string {
  return `arn:aws:${service}:${context.region}:${context.accountId}:${resource}`;
}
