/**
 * Scheduled full resync (nightly, with prune). The event may override the
 * defaults: `{ "prune": false, "concurrency": 4 }`.
 */
import { type ResyncSummary, resyncAll } from "../users/resync.ts";
import { createObservability, lazyHandler } from "./observability.ts";
import { wireUserSync } from "./user-sync-wiring.ts";

const DEFAULT_CONCURRENCY = 8;
const MAX_CONCURRENCY = 64;

export interface ResyncEvent {
  prune?: unknown;
  concurrency?: unknown;
}

/** Reads the optional overrides, ignoring values of the wrong type. */
export function resyncOptionsFrom(event: ResyncEvent | null | undefined) {
  const concurrency = Number(event?.concurrency);

  return {
    prune: typeof event?.prune === "boolean" ? event.prune : true,
    concurrency:
      Number.isInteger(concurrency) &&
      concurrency >= 1 &&
      concurrency <= MAX_CONCURRENCY
        ? concurrency
        : DEFAULT_CONCURRENCY,
  };
}

export const handler = lazyHandler(() => {
  const wiring = wireUserSync();
  const { logger, metrics } = createObservability("resync");

  return async function resync(
    event: ResyncEvent | null,
  ): Promise<Omit<ResyncSummary, "failures">> {
    const options = resyncOptionsFrom(event);
    logger.info("resync started", options);
    const { failures, ...summary } = await resyncAll(wiring, options);

    for (const [name, value] of Object.entries(summary)) {
      metrics.addMetric(
        `Resync${name[0]?.toUpperCase()}${name.slice(1)}`,
        "Count",
        value,
      );
    }
    metrics.publishStoredMetrics();
    logger.info("resync finished", {
      ...summary,
      failedUserIds: failures.slice(0, 100),
    });

    return summary;
  };
});
