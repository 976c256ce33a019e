/**
 * The heavy half of the local core: AWS clients, resources, configuration,
 * the production handlers and the HTTP app, started on running engines.
 * core.ts imports it while the engines boot, since its modules (every SDK,
 * the handlers) take about a second to load.
 */
import { createAwsClients } from "../aws/clients.ts";
import {
  type AwsConfig,
  cdnConfig,
  httpConfig,
  triggerConfig,
  userSyncConfig,
} from "../config.ts";
import { wireUserSync } from "../handlers/user-sync-wiring.ts";
import { serveApp } from "../http/serve.ts";
import type { LocalCoreOptions } from "./core.ts";
import { endpointsOf, writeEndpointsFile } from "./core-endpoints.ts";
import type { CoreEngines } from "./core-engines.ts";
import { provisionCore, R2_BUCKET } from "./core-resources.ts";
import { wireCore } from "./core-wiring.ts";
import type { LocalEndpoints } from "./endpoints-file.ts";
import { LOOPBACK } from "./engines/types.ts";
import { registerIdentityRoute } from "./identity-route.ts";
import { formatLogLine } from "./log-format.ts";
import { startStartupBackfill } from "./startup-backfill.ts";

/** A website's dev server, on whatever port it picks, may call the API. */
export const LOCAL_CORS_ORIGINS = "http://localhost:*,http://127.0.0.1:*";

/**
 * Provisions, wires and serves; pushes a stop for each part it starts onto
 * `cleanups`, and writes endpoints.json once everything answers.
 */
export async function startCoreServices(
  engines: CoreEngines,
  home: string,
  options: LocalCoreOptions,
  cleanups: Array<() => Promise<void>>,
): Promise<LocalEndpoints> {
  const api = `http://${LOOPBACK}:${options.port}`;
  const aws: AwsConfig = {
    AWS_REGION: "us-east-1",
    COGNITO_ENDPOINT: engines.cognito.endpoint,
    DYNAMODB_ENDPOINT: engines.dynamo.endpoint,
    S3_ENDPOINT: engines.s3.endpoint,
    SQS_ENDPOINT: engines.sqs.endpoint,
    SSM_ENDPOINT: engines.ssm.endpoint,
    SECRETS_ENDPOINT: engines.ssm.endpoint,
  };
  const cdn = cdnConfig({
    CDN_REGISTRY_PREFIX: options.env.CDN_REGISTRY_PREFIX,
    CDN_SECRET_NAME: options.env.CDN_SECRET_NAME,
    CDN_R2_BUCKET: R2_BUCKET,
    CDN_R2_ENDPOINT: engines.s3.endpoint,
    CDN_BASE_URL: `${api}/cdn`,
  });
  const clients = createAwsClients(aws);
  const resources = await provisionCore(clients, {
    home,
    region: aws.AWS_REGION,
    dynamoEndpoint: engines.dynamo.endpoint,
    extraBuckets: options.extraBuckets,
    registryPrefix: cdn.CDN_REGISTRY_PREFIX,
    secretName: cdn.CDN_SECRET_NAME,
  });
  for (const parameter of resources.unregistered) {
    options.print(unregisteredLine(parameter));
  }
  const endpoints = endpointsOf(api, aws.AWS_REGION, engines, resources);

  const users = userSyncConfig({
    ...options.env,
    USER_POOL_ID: resources.userPoolId,
    USERS_TABLE: resources.usersTable,
    SYNC_QUEUE_URL: resources.syncQueueUrl,
    AVATARS_BUCKET: endpoints.s3.buckets.avatars,
    CDN_BASE_URL: endpoints.cdn,
  });
  const configs = {
    aws,
    users,
    cdn,
    trigger: triggerConfig({
      ...options.env,
      SYNC_QUEUE_URL: resources.syncQueueUrl,
    }),
    http: httpConfig({
      CORS_ORIGINS: options.env.CORS_ORIGINS ?? LOCAL_CORS_ORIGINS,
      COGNITO_ISSUER: endpoints.cognito.issuer,
      COGNITO_CLIENT_IDS: resources.clientId,
    }),
  };
  const wiring = wireCore(
    engines,
    clients,
    resources,
    configs,
    wireUserSync(users, aws, clients),
    options.print,
  );
  registerIdentityRoute(wiring.app, { home, pid: process.pid });
  cleanups.push(wiring.stop);
  options.signal?.throwIfAborted();
  const server = await serveApp(wiring.app, { port: options.port });
  cleanups.push(server.stop);

  await writeEndpointsFile(home, endpoints);
  const backfill = startStartupBackfill({
    s3: clients.s3,
    ssm: clients.ssm,
    registryPrefix: cdn.CDN_REGISTRY_PREFIX,
    r2Bucket: resources.r2Bucket,
    print: options.print,
  });
  cleanups.push(backfill.stop);

  return endpoints;
}

function unregisteredLine(parameter: string): string {
  return formatLogLine({
    service: "registry",
    message: `removed ${parameter}: its directory is no longer configured; the bucket and its objects are kept`,
  });
}
