/** What the HTTP app needs from the rest of the system. */
import type { SyncQueue, UserStore } from "../users/ports.ts";
import type { SyncOutcome } from "../users/sync-user.ts";
import type { IdentifyCaller } from "./auth.ts";
import type { HttpLogger } from "./context.ts";

/** Syncs one user now; UserSync is one. */
export interface Syncer {
  /** Throws DirectoryUnavailableError when Cognito cannot be reached. */
  sync(userId: string): Promise<SyncOutcome>;
}

export interface AppDeps {
  readonly syncer: Syncer;
  readonly store: Pick<UserStore, "get" | "getMany" | "claimSyncSlot">;
  /** Where a sync goes when Cognito is unreachable. */
  readonly queue: SyncQueue;
  readonly identify: IdentifyCaller;
  /** Shortest time between two on-demand syncs of one user. */
  readonly minIntervalSeconds: number;
  /** Origins allowed by CORS; none means no CORS headers at all. */
  readonly corsOrigins?: readonly string[];
  readonly clock?: () => Date;
  readonly logger?: HttpLogger;
  /** Counts a decision (e.g. a Powertools metric); optional. */
  readonly count?: (metric: string) => void;
}
