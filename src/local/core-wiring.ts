/**
 * Connects the engines to the production handlers: the sign-in trigger,
 * the two queue pollers, s3rver's events and the HTTP app with `/cdn/`.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import type { Hono } from "hono";
import { loadR2Credentials, resetCdnSecretCache } from "../aws/cdn-secret.ts";
import { s3SourceBuckets } from "../aws/cdn-source.ts";
import type { AwsClients } from "../aws/clients.ts";
import { ssmRegistrySource } from "../aws/ssm-registry.ts";
import type {
  AwsConfig,
  CdnConfig,
  HttpConfig,
  TriggerConfig,
  UserSyncConfig,
} from "../config.ts";
import { apiAppDeps } from "../handlers/api-deps.ts";
import { createCdnSyncHandler } from "../handlers/cdn-sync.ts";
import { REGISTRY_MAX_AGE_MS, r2StoreFor } from "../handlers/cdn-sync-deps.ts";
import {
  METRICS_NAMESPACE,
  type Observability,
} from "../handlers/observability.ts";
import { createPostAuthenticationHandler } from "../handlers/post-authentication.ts";
import { createSyncWorkerHandler } from "../handlers/sync-worker.ts";
import type { UserSyncWiring } from "../handlers/user-sync-wiring.ts";
import { createApp } from "../http/app.ts";
import { bearerIdentity } from "../http/auth.ts";
import type { AppEnv } from "../http/context.ts";
import { registerCdnRoute } from "./cdn-route.ts";
import {
  type CoreEngines,
  POST_AUTHENTICATION_FUNCTION,
} from "./core-engines.ts";
import type { CoreResources } from "./core-resources.ts";
import {
  formatDeadLetter,
  type Print,
  printLogsOf,
  terminalHttpLogger,
} from "./log-format.ts";
import { dlqNameOf, MAX_RECEIVE_COUNT } from "./provision.ts";
import {
  type QueuePoller,
  queueNameOf,
  type SqsHandler,
  startQueuePoller,
} from "./queue-poller.ts";
import { forwardObjectEvents } from "./s3-events.ts";

export interface CoreConfigs {
  readonly aws: AwsConfig;
  readonly users: UserSyncConfig;
  readonly trigger: TriggerConfig;
  readonly http: HttpConfig;
  readonly cdn: CdnConfig;
}

export interface CoreWiring {
  readonly app: Hono<AppEnv>;
  /**
   * Stops forwarding s3rver's events (waiting for the sends in flight),
   * then polling (waiting for the batches in hand), before the engines
   * they use stop.
   */
  stop(): Promise<void>;
}

export function wireCore(
  engines: CoreEngines,
  clients: AwsClients,
  resources: CoreResources,
  configs: CoreConfigs,
  userSync: UserSyncWiring,
  print: Print,
): CoreWiring {
  const report = (service: string) => (error: Error) =>
    print(`${clock()} ${service.padEnd(19)} ERROR ${error.message}`);

  engines.lambda.register(
    POST_AUTHENTICATION_FUNCTION,
    createPostAuthenticationHandler({
      queue: userSync.queue,
      timeoutMs: configs.trigger.ENQUEUE_TIMEOUT_MS,
      observability: observability("post-authentication", print),
    }) as (event: unknown) => Promise<unknown>,
  );
  const poll = (queueUrl: string, service: string, handler: SqsHandler) =>
    startQueuePoller({
      sqs: clients.sqs,
      queueUrl,
      handler,
      onError: report(service),
      redrive: {
        maxReceiveCount: MAX_RECEIVE_COUNT,
        deadLetterQueue: dlqNameOf(queueNameOf(queueUrl)),
      },
      onDeadLetter: (notice) => print(formatDeadLetter(service, notice)),
    });
  const pollers: QueuePoller[] = [
    poll(
      resources.syncQueueUrl,
      "sync-worker",
      createSyncWorkerHandler({
        sync: userSync.sync,
        observability: observability("sync-worker", print),
      }),
    ),
    poll(
      resources.cdnQueueUrl,
      "cdn-sync",
      cdnSyncHandler(clients, configs.cdn, print),
    ),
  ];
  const forwarding = forwardObjectEvents({
    sqs: clients.sqs,
    queueUrl: resources.cdnQueueUrl,
    ignoredBuckets: new Set([resources.r2Bucket]),
    onError: report("s3-events"),
  });
  engines.s3.onObjectEvent(forwarding.listener);

  const {
    verifier,
    clientIds: _clientIds,
    ...deps
  } = apiAppDeps({
    ...configs,
    wiring: userSync,
    logger: terminalHttpLogger("api", print),
  });
  const app = createApp({ ...deps, identify: bearerIdentity(verifier) });
  registerCdnRoute(app, { s3: clients.s3, bucket: resources.r2Bucket });

  return {
    app,
    // Events first: a message sent after its poller stopped would be lost.
    stop: async () => {
      await forwarding.stop();
      await Promise.all(pollers.map((poller) => poller.stop()));
    },
  };
}

/** The CDN sync handler over the local SSM, s3rver and the R2 stand-in. */
function cdnSyncHandler(clients: AwsClients, cdn: CdnConfig, print: Print) {
  return createCdnSyncHandler({
    registry: ssmRegistrySource(
      clients.ssm,
      cdn.CDN_REGISTRY_PREFIX,
      REGISTRY_MAX_AGE_MS,
    ),
    source: s3SourceBuckets(clients.s3),
    r2: r2StoreFor(cdn, () =>
      loadR2Credentials(clients.secrets, cdn.CDN_SECRET_NAME),
    ),
    onR2CredentialsRejected: resetCdnSecretCache,
    cdnBaseUrl: cdn.CDN_BASE_URL,
    logger: printLogsOf(new Logger({ serviceName: "cdn-sync" }), print),
    metrics: { count: () => {}, publish: () => {} },
  });
}

/** Handlers' logs go to the terminal; metrics are counted and dropped. */
function observability(service: string, print: Print): Observability {
  const quiet = { info() {}, warn() {}, error() {}, debug() {} };
  const metrics = new Metrics({
    namespace: METRICS_NAMESPACE,
    serviceName: service,
    logger: quiet as never,
  });

  return {
    logger: printLogsOf(new Logger({ serviceName: service }), print),
    metrics,
    count: (name) => metrics.addMetric(name, MetricUnit.Count, 1),
  };
}

function clock(): string {
  return new Date().toTimeString().slice(0, 8);
}
