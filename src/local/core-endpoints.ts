/**
 * Writes and removes `<home>/endpoints.json`. It exists only while a core
 * runs, so a tool that finds it can expect an answer.
 */
import { rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { CoreEngines } from "./core-engines.ts";
import type { CoreResources } from "./core-resources.ts";
import { ENDPOINTS_FILE, type LocalEndpoints } from "./endpoints-file.ts";

/** What other tools need to reach the running core. */
export function endpointsOf(
  api: string,
  region: string,
  engines: CoreEngines,
  resources: CoreResources,
): LocalEndpoints {
  return {
    api,
    cdn: `${api}/cdn`,
    region,
    cognito: {
      endpoint: engines.cognito.endpoint,
      userPoolId: resources.userPoolId,
      clientId: resources.clientId,
      issuer: `${engines.cognito.endpoint}/${resources.userPoolId}`,
    },
    dynamodb: {
      endpoint: engines.dynamo.endpoint,
      usersTable: resources.usersTable,
    },
    s3: {
      endpoint: engines.s3.endpoint,
      buckets: resources.buckets,
      r2Bucket: resources.r2Bucket,
    },
    sqs: {
      endpoint: engines.sqs.endpoint,
      syncQueueUrl: resources.syncQueueUrl,
      cdnQueueUrl: resources.cdnQueueUrl,
    },
    ssm: { endpoint: engines.ssm.endpoint },
    lambda: { endpoint: engines.lambda.endpoint },
  };
}

/** Replaces the file in one step, so a reader never sees half of it. */
export async function writeEndpointsFile(
  home: string,
  endpoints: LocalEndpoints,
): Promise<void> {
  const file = join(home, ENDPOINTS_FILE);
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(endpoints, null, 2)}\n`);
  await rename(temporary, file);
}

export async function removeEndpointsFile(home: string): Promise<void> {
  await rm(join(home, ENDPOINTS_FILE), { force: true });
}
