/**
 * Powertools logger and metrics for the Lambda handlers. One JSON object per
 * line; user ids are log keys, email addresses and tokens never are.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";

export const METRICS_NAMESPACE = "api-core";

export interface Observability {
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Adds 1 to the count metric `name`. */
  count(name: string): void;
}

export function createObservability(serviceName: string): Observability {
  const logger = new Logger({ serviceName });
  const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName });

  return {
    logger,
    metrics,
    count: (name) => metrics.addMetric(name, MetricUnit.Count, 1),
  };
}

/**
 * A handler whose dependencies are built on first use, so importing the
 * module (tests, bundling checks) needs no environment.
 */
export function lazyHandler<E, R>(
  build: () => (event: E, context?: unknown) => Promise<R>,
): (event: E, context?: unknown) => Promise<R> {
  let handler: ((event: E, context?: unknown) => Promise<R>) | undefined;

  return (event, context) => {
    handler ??= build();
    return handler(event, context);
  };
}
