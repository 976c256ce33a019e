/**
 * What other services read from this stack, published as SSM parameters
 * under `/core/` so they need no access to this stack's state.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { type Auth, PASSWORD_POLICY } from "./auth.ts";
import type { Cdn } from "./cdn.ts";
import type { Zone } from "./dns.ts";
import type { HttpApi } from "./http-api.ts";
import type { UserSyncStorage } from "./user-sync.ts";

export interface CoreOutputs {
  readonly auth: Auth;
  readonly zone: Zone;
  readonly api: HttpApi;
  readonly storage: UserSyncStorage;
  readonly cdn: Cdn;
}

/** Parameter name → value, as published. */
export function coreParameters(
  outputs: CoreOutputs,
): Record<string, pulumi.Input<string>> {
  const { auth, zone, api, storage, cdn } = outputs;

  return {
    "/core/cognito-pool-id": auth.pool.id,
    "/core/cognito-endpoint": pulumi.interpolate`https://${auth.pool.endpoint}`,
    "/core/cognito-audiences": auth.websiteClient.id,
    "/core/cognito-client-website": auth.websiteClient.id,
    "/core/cognito-password-policy": JSON.stringify(PASSWORD_POLICY),
    "/core/cloudflare-zone": zone.zoneId,
    "/core/gateway-domain": api.host,
    "/core/users-table": storage.table.name,
    "/core/users-table-arn": storage.table.arn,
    "/core/cdn-domain": cdn.host,
    // Beyond the list: what the `core` CLI reads to reach AWS.
    "/core/sync-queue-url": storage.syncQueue.queue.url,
    "/core/cdn-r2-bucket": cdn.r2Bucket.name,
    "/core/cdn-backfill-queue-url": cdn.pageQueue.queue.url,
  };
}

/** Lists of values; SSM keeps them comma-separated. */
const STRING_LISTS = new Set(["/core/cognito-audiences"]);

/** Publishes every output parameter. */
export function publishOutputs(outputs: CoreOutputs): aws.ssm.Parameter[] {
  return Object.entries(coreParameters(outputs)).map(
    ([name, value]) =>
      new aws.ssm.Parameter(`output${name.replaceAll("/", "-")}`, {
        name,
        type: STRING_LISTS.has(name) ? "StringList" : "String",
        value,
        description: "Published by api-core for other services",
      }),
  );
}
