/**
 * The full resync: every Cognito user is upserted into the users table and,
 * with `prune`, profiles of users Cognito no longer has are removed. It is
 * the same per-user operation as the sync worker, run over everything.
 */
import { forEachConcurrent } from "../shared/concurrency.ts";
import type { IdentityDirectory, UserStore } from "./ports.ts";
import type { DirectoryUser } from "./profile.ts";
import type { UserSync } from "./sync-user.ts";

/** Users read from the table in one BatchGetItem. */
const READ_BATCH = 100;

export interface ResyncOptions {
  readonly prune: boolean;
  readonly concurrency: number;
  readonly onProgress?: (summary: ResyncSummary) => void;
}

export interface ResyncSummary {
  synced: number;
  unchanged: number;
  pruned: number;
  failed: number;
  /** Ids of users that failed, for the log; never email addresses. */
  readonly failures: string[];
}

export interface ResyncDeps {
  readonly directory: IdentityDirectory;
  readonly store: UserStore;
  readonly sync: Pick<UserSync, "apply" | "sync">;
  readonly now?: () => Date;
}

export async function resyncAll(
  deps: ResyncDeps,
  options: ResyncOptions,
): Promise<ResyncSummary> {
  const summary: ResyncSummary = {
    synced: 0,
    unchanged: 0,
    pruned: 0,
    failed: 0,
    failures: [],
  };
  const report = () => options.onProgress?.(summary);
  const seen = new Set<string>();
  // Groups are listed once, before the first page of users, so every
  // snapshot of the run is only as fresh as the start of the listing.
  const listedAt = deps.now?.() ?? new Date();

  const fail = (userId: string) => {
    summary.failed++;
    summary.failures.push(userId);
  };

  async function upsert([user, stored]: readonly [
    DirectoryUser,
    Awaited<ReturnType<UserStore["get"]>>,
  ]) {
    try {
      const outcome = await deps.sync.apply(user, stored, listedAt);
      switch (outcome.status) {
        case "synced":
          summary.synced++;
          break;
        // Deleted from Cognito after the listing: its profile is gone.
        case "removed":
          summary.pruned++;
          break;
        // Stale: a concurrent sync had stored a newer profile, which this
        // run left in the table as it found it.
        default:
          summary.unchanged++;
      }
    } catch {
      fail(user.id);
    }
    report();
  }

  for await (const batch of batches(deps.directory.listUsers(), READ_BATCH)) {
    for (const user of batch) seen.add(user.id);
    const stored = new Map(
      (await deps.store.getMany(batch.map((user) => user.id))).map((p) => [
        p.id,
        p,
      ]),
    );
    const pairs = batch.map((user) => [user, stored.get(user.id)] as const);
    await forEachConcurrent(pairs, options.concurrency, upsert);
  }

  if (options.prune)
    await prune(deps, seen, options.concurrency, summary, report);

  return summary;
}

/**
 * Removes profiles whose user was not in the listing. Each candidate is
 * checked against Cognito first: a user who signed up while the listing
 * ran is synced instead of deleted.
 */
async function prune(
  deps: ResyncDeps,
  seen: ReadonlySet<string>,
  concurrency: number,
  summary: ResyncSummary,
  report: () => void,
): Promise<void> {
  const candidates: string[] = [];
  for await (const id of deps.store.listIds()) {
    if (!seen.has(id)) candidates.push(id);
  }

  await forEachConcurrent(candidates, concurrency, async (userId) => {
    try {
      const outcome = await deps.sync.sync(userId);
      if (outcome.status === "removed") summary.pruned++;
      else summary.synced++;
    } catch {
      summary.failed++;
      summary.failures.push(userId);
    }
    report();
  });
}

async function* batches<T>(
  items: AsyncIterable<T>,
  size: number,
): AsyncIterable<T[]> {
  let batch: T[] = [];
  for await (const item of items) {
    batch.push(item);
    if (batch.length === size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}
