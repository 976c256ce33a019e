/**
 * `GET|POST /v1/auth/sync`: syncs the caller from Cognito now and answers
 * with their stored profile. The rate limit is claimed in the users table
 * first, so it holds across Lambda instances; when Cognito is unreachable
 * the sync is queued for the worker instead.
 */
import type { Hono } from "hono";
import { DirectoryUnavailableError } from "../../users/errors.ts";
import {
  gravatarUnavailableIn,
  type SyncOutcome,
} from "../../users/sync-user.ts";
import type { Caller } from "../claims.ts";
import {
  type AppContext,
  type AppEnv,
  describeError,
  type HttpLogger,
  lambdaEventOf,
} from "../context.ts";
import type { AppDeps } from "../deps.ts";
import {
  HttpNotFoundError,
  HttpRateLimitedError,
  HttpUnavailableError,
} from "../errors.ts";
import { publicProfile } from "../public-profile.ts";

const OUTCOME_METRICS: Record<SyncOutcome["status"], string> = {
  synced: "SyncSynced",
  unchanged: "SyncUnchanged",
  stale: "SyncStale",
  removed: "SyncRemoved",
};

/** Adds the sync routes to `app`. */
export function registerSyncRoutes(
  app: Hono<AppEnv>,
  deps: AppDeps,
  logger: HttpLogger,
): void {
  const count = deps.count ?? (() => {});

  async function syncCaller(c: AppContext) {
    const caller = await deps.identify({
      authorization: c.req.header("authorization"),
      lambdaEvent: lambdaEventOf(c),
    });
    const log = { requestId: c.get("requestId"), userId: caller.userId };

    const now = deps.clock?.() ?? new Date();
    const slot = await deps.store.claimSyncSlot(
      caller.userId,
      now,
      deps.minIntervalSeconds,
    );
    if (!slot.granted) {
      logger.info("sync refused: rate limited", {
        ...log,
        retryAfterSeconds: slot.retryAfterSeconds,
      });
      count("SyncRateLimited");
      throw new HttpRateLimitedError(slot.retryAfterSeconds);
    }

    let outcome: SyncOutcome;
    try {
      outcome = await deps.syncer.sync(caller.userId);
    } catch (error) {
      if (!(error instanceof DirectoryUnavailableError)) throw error;
      await queueSync(caller, log, error);

      return c.json({ status: "queued" }, 202);
    }

    const gravatarUnavailable = gravatarUnavailableIn(outcome);
    logger.info(`sync ${outcome.status}`, {
      ...log,
      ...(gravatarUnavailable ? { gravatarUnavailable } : {}),
    });
    count(OUTCOME_METRICS[outcome.status]);
    if (gravatarUnavailable) count("GravatarUnavailable");
    if (outcome.status === "removed") await restamp(caller, now, log);
    if (outcome.status === "removed" || !outcome.profile) {
      throw new HttpNotFoundError(
        "user_not_found",
        "The user no longer exists in the directory",
      );
    }
    c.header("Cache-Control", "no-store");

    return c.json(publicProfile(outcome.profile), 200);
  }

  /**
   * Removing a user deletes their item, rate-limit stamp included; stamp it
   * again so a deleted user's still-valid token cannot make every request
   * cost a Cognito read (the nightly prune removes the stamp). The answer is
   * 404 either way: a failure here is only logged.
   */
  async function restamp(
    caller: Caller,
    now: Date,
    log: Record<string, unknown>,
  ): Promise<void> {
    try {
      await deps.store.claimSyncSlot(
        caller.userId,
        now,
        deps.minIntervalSeconds,
      );
    } catch (error) {
      logger.warn("could not stamp the rate limit of a removed user", {
        ...log,
        error: describeError(error),
      });
    }
  }

  async function queueSync(
    caller: Caller,
    log: Record<string, unknown>,
    unavailable: DirectoryUnavailableError,
  ): Promise<void> {
    try {
      await deps.queue.enqueue({ userId: caller.userId, reason: "api" });
    } catch (error) {
      logger.error("sync failed: directory and queue unavailable", {
        ...log,
        error: describeError(error),
        directoryError: describeError(unavailable),
      });
      count("SyncUnavailable");
      throw new HttpUnavailableError(
        "sync_unavailable",
        "The user directory is unreachable and the sync could not be queued; retry later",
        { cause: error },
      );
    }
    logger.warn("sync queued: directory unavailable", {
      ...log,
      error: describeError(unavailable),
    });
    count("SyncQueued");
  }

  app.get("/v1/auth/sync", syncCaller);
  app.post("/v1/auth/sync", syncCaller);
}
