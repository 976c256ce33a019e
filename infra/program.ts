/**
 * The whole estate, in dependency order: zone and mail first, then storage,
 * sign-in, user sync, the HTTP API, the CDN and the published outputs.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { createAuth } from "./auth.ts";
import { createCdn } from "./cdn.ts";
import { readRegistry } from "./cdn-access.ts";
import { namePrefix, type StackConfig } from "./config.ts";
import type { DeployContext } from "./context.ts";
import {
  configureZone,
  createZone,
  declaredRecords,
  mailPolicyRecords,
} from "./dns.ts";
import type { DnsRecordSpec } from "./dns-records.ts";
import { createMailIdentity } from "./email.ts";
import { createHttpApi } from "./http-api.ts";
import { publishOutputs } from "./outputs.ts";
import {
  avatarsBucketName,
  createUserSyncFunctions,
  createUserSyncStorage,
} from "./user-sync.ts";

export interface ProgramOptions {
  /** The validated records of `dns/records.yaml`. */
  readonly records: readonly DnsRecordSpec[];
  /** Where the Lambda bundles are; defaults to `dist`. */
  readonly codeDir?: string;
}

/** Declares every resource and returns the stack outputs. */
export async function createCore(config: StackConfig, options: ProgramOptions) {
  const [identity, region] = await Promise.all([
    aws.getCallerIdentity(),
    aws.getRegion(),
  ]);
  const zone = createZone(config);
  const context: DeployContext = {
    config,
    accountId: identity.accountId,
    region: region.region,
    prefix: namePrefix(config),
    zone,
    codeDir: options.codeDir ?? "dist",
  };

  configureZone(zone, config);
  mailPolicyRecords(zone, config);
  const records = declaredRecords(zone, options.records);
  const apexRecords = records.filter(
    (_, index) => options.records[index]?.name === config.domain,
  );
  if (apexRecords.length === 0) {
    pulumi.log.warn(
      `dns/records.yaml has no record for ${config.domain} itself; Cognito refuses auth.${config.domain} until the domain resolves`,
    );
  }
  const mail = createMailIdentity(zone, context.region);

  const storage = createUserSyncStorage(context);
  const auth = createAuth(context, mail, storage, apexRecords);
  createUserSyncFunctions(context, auth.pool, storage);
  const api = createHttpApi(context, auth, storage);
  const registry = await readRegistry(avatarsBucketName(context));
  const cdn = createCdn("cdn", context, registry);
  publishOutputs({ auth, zone, api, storage, cdn });

  return {
    zoneId: zone.zoneId,
    nameServers: zone.nameServers,
    userPoolId: auth.pool.id,
    websiteClientId: auth.websiteClient.id,
    signInDomain: auth.signInDomain,
    apiUrl: `https://${api.host}/v1`,
    cdnUrl: `https://${cdn.host}`,
    usersTable: storage.table.name,
    registeredDirs: registry.map((entry) => entry.dir),
  };
}
