/**
 * The local core (`npm start`, `core dev`): the engines, the resources and
 * the production handlers wired together on 127.0.0.1, with its data under
 * one home folder. Deleting that folder resets it.
 */
import { mkdir } from "node:fs/promises";
import { createServer } from "node:net";
import { resolve } from "node:path";
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
import {
  endpointsOf,
  removeEndpointsFile,
  writeEndpointsFile,
} from "./core-endpoints.ts";
import { startCoreEngines } from "./core-engines.ts";
import { provisionCore, R2_BUCKET } from "./core-resources.ts";
import { wireCore } from "./core-wiring.ts";
import type { LocalEndpoints } from "./endpoints-file.ts";
import { LOOPBACK } from "./engines/types.ts";
import { LocalCorePortBusyError } from "./errors.ts";
import { lockHome } from "./lock.ts";
import { formatConfirmationCode, type Print } from "./log-format.ts";
import { enginePorts } from "./ports.ts";

type Env = Record<string, string | undefined>;

/** A website's dev server, on whatever port it picks, may call the API. */
export const LOCAL_CORS_ORIGINS = "http://localhost:*,http://127.0.0.1:*";

export interface LocalCoreOptions {
  readonly home: string;
  readonly port: number;
  /** Directory → bucket, registered besides avatars. */
  readonly extraBuckets: Record<string, string>;
  /** Passed through to the handlers' configuration (Gravatar, intervals). */
  readonly env: Env;
  readonly print: Print;
}

export interface LocalCore {
  readonly endpoints: LocalEndpoints;
  /** Stops everything and releases the home folder; data stays. */
  stop(): Promise<void>;
}

/** Starts the core; on failure, whatever had started is stopped again. */
export async function startLocalCore(
  options: LocalCoreOptions,
): Promise<LocalCore> {
  const home = resolve(options.home);
  await mkdir(home, { recursive: true });
  const cleanups: Array<() => Promise<void>> = [await lockHome(home)];
  const stop = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      await cleanup().catch(() => {});
    }
  };

  try {
    await removeEndpointsFile(home);
    cleanups.push(() => removeEndpointsFile(home));
    await ensurePortsFree(options.port);
    const engines = await startCoreEngines(home, options.port, (delivery) =>
      options.print(formatConfirmationCode(delivery)),
    );
    cleanups.push(engines.stop);

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
    cleanups.push(wiring.stop);
    const server = await serveApp(wiring.app, { port: options.port });
    cleanups.push(server.stop);

    await writeEndpointsFile(home, endpoints);

    return { endpoints, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Fails early, before any engine starts, when a port is taken. */
async function ensurePortsFree(corePort: number): Promise<void> {
  const ports = { "HTTP API": corePort, ...enginePorts(corePort) };
  for (const [user, port] of Object.entries(ports)) {
    await new Promise<void>((resolvePort, reject) => {
      const probe = createServer();
      probe.once("error", (error) =>
        reject(new LocalCorePortBusyError(port, user, corePort, error)),
      );
      probe.listen(port, LOOPBACK, () => probe.close(() => resolvePort()));
    });
  }
}
