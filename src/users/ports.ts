/**
 * What user sync needs from the outside world. Adapters in `aws/` and
 * `gravatar/` implement these; tests run them against the local engines.
 */
import type { DirectoryUser, UserProfile } from "./profile.ts";

/** Cognito, seen as a directory of users. */
export interface IdentityDirectory {
  /** The user whose `sub` is `userId`, or undefined if none exists. */
  getUser(userId: string): Promise<DirectoryUser | undefined>;
  /** Every user, page by page, with groups, in as few calls as possible. */
  listUsers(): AsyncIterable<DirectoryUser>;
  /** Sets (or, with undefined, removes) the `picture` attribute. */
  setPicture(user: DirectoryUser, picture: string | undefined): Promise<void>;
}

export type PutResult = "written" | "stale";

export type SyncSlot =
  | { readonly granted: true }
  | { readonly granted: false; readonly retryAfterSeconds: number };

/** The users table. */
export interface UserStore {
  get(userId: string): Promise<UserProfile | undefined>;
  /** Profiles that exist among `userIds`, in no particular order. */
  getMany(userIds: readonly string[]): Promise<UserProfile[]>;
  /**
   * Writes `profile` unless the table holds a newer Cognito snapshot, in
   * which case it answers "stale": a later `updatedAt`, or the same one read
   * from Cognito later (a later `syncedAt`).
   */
  put(profile: UserProfile): Promise<PutResult>;
  delete(userId: string): Promise<void>;
  /** Every stored user id, for pruning. */
  listIds(): AsyncIterable<string>;
  /**
   * Records an on-demand sync request at `now`, unless one was recorded less
   * than `intervalSeconds` ago; held in the table so every instance sees it.
   */
  claimSyncSlot(
    userId: string,
    now: Date,
    intervalSeconds: number,
  ): Promise<SyncSlot>;
}

/** The avatars bucket. Keys look like `<userId>/<sha256>.<ext>`. */
export interface AvatarStore {
  put(key: string, image: AvatarImage): Promise<void>;
  /** Keys of every object stored for `userId`. */
  list(userId: string): Promise<string[]>;
  delete(keys: readonly string[]): Promise<void>;
}

export interface AvatarImage {
  readonly bytes: Uint8Array;
  readonly contentType: string;
  /** File extension without the dot: png, jpg, gif or webp. */
  readonly extension: string;
}

/** What Gravatar said about an email address. */
export type GravatarLookup =
  | { readonly kind: "found"; readonly image: AvatarImage }
  /** 404: the user has no Gravatar. */
  | { readonly kind: "absent" }
  /** Timeout, 5xx, or a body we refuse; try again on the next sync. */
  | { readonly kind: "unavailable"; readonly reason: string };

export interface GravatarSource {
  lookup(email: string): Promise<GravatarLookup>;
}

/** A request to sync one user, as carried on the sync queue. */
export interface SyncRequest {
  readonly userId: string;
  readonly reason: string;
}

export interface SyncQueue {
  enqueue(
    request: SyncRequest,
    options?: { timeoutMs?: number },
  ): Promise<void>;
}
