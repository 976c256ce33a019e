/**
 * Cognito post-authentication trigger: asks for the user to be synced and
 * returns the event. It never fails a sign-in: a queue error or a slow queue
 * is logged and counted, and the event is returned all the same.
 */

import { SQSClient } from "@aws-sdk/client-sqs";
import type { PostAuthenticationTriggerEvent } from "aws-lambda";
import { clientOptions } from "../aws/client-options.ts";
import { SqsSyncQueue } from "../aws/sqs-sync-queue.ts";
import { awsConfig, triggerConfig } from "../config.ts";
import type { SyncQueue } from "../users/ports.ts";
import { isUserId } from "../users/sync-request.ts";
import { createObservability, type Observability } from "./observability.ts";

export interface PostAuthenticationDeps {
  readonly queue: SyncQueue;
  /** Cognito allows a trigger 5 s; the enqueue is abandoned after this. */
  readonly timeoutMs: number;
  readonly observability: Observability;
}

export function createPostAuthenticationHandler(deps: PostAuthenticationDeps) {
  const { logger, metrics, count } = deps.observability;

  return async function postAuthentication<
    E extends PostAuthenticationTriggerEvent,
  >(event: E): Promise<E> {
    const userId = event?.request?.userAttributes?.sub ?? "";
    try {
      if (!isUserId(userId)) {
        count("SignInWithoutSub");
        logger.warn("sign-in event has no usable sub; nothing enqueued", {
          userPoolId: event?.userPoolId,
        });
        return event;
      }
      await deps.queue.enqueue(
        { userId, reason: "sign-in" },
        { timeoutMs: deps.timeoutMs },
      );
      count("SyncEnqueued");
      logger.info("sync enqueued after sign-in", { userId });
    } catch (error) {
      count("SyncEnqueueFailed");
      logger.error("could not enqueue sync after sign-in", {
        userId,
        error: error as Error,
      });
    } finally {
      metrics.publishStoredMetrics();
    }

    return event;
  };
}

/**
 * The trigger as deployed, its queue client built from `env` on the first
 * sign-in. If that fails (SYNC_QUEUE_URL missing or malformed), every
 * sign-in still goes through: the failure is logged and counted and the
 * event returned, because real Cognito rejects a sign-in whose trigger
 * throws. The build is retried on the next sign-in.
 */
export function createDeployedPostAuthentication(
  env: Record<string, string | undefined> = process.env,
  observability: Observability = createObservability("post-authentication"),
) {
  let built: ReturnType<typeof createPostAuthenticationHandler> | undefined;

  function build() {
    const config = triggerConfig(env);
    const aws = awsConfig(env);

    return createPostAuthenticationHandler({
      queue: new SqsSyncQueue(
        new SQSClient(clientOptions(aws.AWS_REGION, aws.SQS_ENDPOINT)),
        config.SYNC_QUEUE_URL,
      ),
      timeoutMs: config.ENQUEUE_TIMEOUT_MS,
      observability,
    });
  }

  return async function postAuthentication<
    E extends PostAuthenticationTriggerEvent,
  >(event: E): Promise<E> {
    try {
      built ??= build();
    } catch (error) {
      observability.count("SyncEnqueueFailed");
      observability.logger.error(
        "trigger misconfigured; sign-in allowed, nothing enqueued",
        { error: error as Error },
      );
      observability.metrics.publishStoredMetrics();

      return event;
    }

    return built(event);
  };
}

export const handler = createDeployedPostAuthentication();
