/**
 * Makes the users table match Cognito for one user. Events only say whom to
 * look at: the current state is read from Cognito every time, so duplicate,
 * late and reordered requests cannot leave an older snapshot behind.
 */
import type { AvatarCache } from "./avatar-cache.ts";
import type { IdentityDirectory, UserStore } from "./ports.ts";
import {
  type DirectoryUser,
  profileChanged,
  toProfile,
  type UserProfile,
} from "./profile.ts";

/** Facts about a sync worth a log field, whatever its status. */
interface SyncNotes {
  /**
   * Why Gravatar could not be used on this sync, when it could not; the
   * cached avatar was kept. Never holds the email, its hash or the URL.
   */
  readonly gravatarUnavailable?: string;
}

export type SyncOutcome =
  | ({ readonly status: "synced"; readonly profile: UserProfile } & SyncNotes)
  | ({
      readonly status: "unchanged";
      readonly profile: UserProfile;
    } & SyncNotes)
  /** The table holds a newer Cognito snapshot; `profile` is what it holds. */
  | ({
      readonly status: "stale";
      readonly profile: UserProfile | undefined;
    } & SyncNotes)
  /** The user no longer exists in Cognito; profile and avatar are gone. */
  | { readonly status: "removed" };

/** Why Gravatar could not be used on the sync, if it could not. */
export function gravatarUnavailableIn(
  outcome: SyncOutcome,
): string | undefined {
  return outcome.status === "removed" ? undefined : outcome.gravatarUnavailable;
}

export interface UserSyncDeps {
  readonly directory: IdentityDirectory;
  readonly store: UserStore;
  readonly avatars: Pick<AvatarCache, "resolve" | "forget">;
  readonly now?: () => Date;
}

export class UserSync {
  readonly #deps: UserSyncDeps;

  constructor(deps: UserSyncDeps) {
    this.#deps = deps;
  }

  /** Reads `userId` from Cognito and stores its profile, or removes it. */
  async sync(userId: string): Promise<SyncOutcome> {
    return this.#readAndApply(userId, true);
  }

  /**
   * Stores the profile for a user already read from Cognito, given what the
   * table holds (`stored`); the full resync reads both in bulk. `readAt` is
   * when the read of `user` began: it orders snapshots with equal
   * `updatedAt`.
   */
  async apply(
    user: DirectoryUser,
    stored: UserProfile | undefined,
    readAt: Date,
  ): Promise<SyncOutcome> {
    return this.#apply(user, stored, readAt, { retryIfStale: true });
  }

  /** Deletes the profile and cached avatar of a user Cognito no longer has. */
  async remove(userId: string): Promise<SyncOutcome> {
    await this.#deps.avatars.forget(userId);
    await this.#deps.store.delete(userId);

    return { status: "removed" };
  }

  async #readAndApply(
    userId: string,
    retryIfStale: boolean,
  ): Promise<SyncOutcome> {
    // Taken before the read, so a snapshot never claims to be fresher than
    // it is: of two reads with the same updatedAt, the later one wins.
    const readAt = this.#now();
    const user = await this.#deps.directory.getUser(userId);
    if (!user) return this.remove(userId);

    const stored = await this.#deps.store.get(userId);

    // One user at a time, so the avatar folder is swept (see resolve).
    return this.#apply(user, stored, readAt, { retryIfStale, sweep: true });
  }

  async #apply(
    user: DirectoryUser,
    stored: UserProfile | undefined,
    readAt: Date,
    options: { readonly retryIfStale: boolean; readonly sweep?: boolean },
  ): Promise<SyncOutcome> {
    const { picture, gravatarUnavailable } = await this.#deps.avatars.resolve(
      user,
      stored?.picture,
      { sweep: options.sweep ?? false },
    );
    if (picture !== user.attributes.picture) {
      await this.#deps.directory.setPicture(user, picture);
    }
    const notes: SyncNotes = gravatarUnavailable ? { gravatarUnavailable } : {};

    const profile = toProfile(user, picture, readAt.toISOString());
    if (stored && !profileChanged(stored, profile)) {
      return { status: "unchanged", profile: stored, ...notes };
    }

    const result = await this.#deps.store.put(profile);
    if (result === "written") return { status: "synced", profile, ...notes };

    // A newer snapshot is stored, but the avatar and Cognito's picture were
    // already set from this older one. One fresh read puts them back in
    // step with Cognito; a second loss means yet another sync is running.
    if (options.retryIfStale) return this.#readAndApply(user.id, false);

    return {
      status: "stale",
      profile: await this.#deps.store.get(user.id),
      ...notes,
    };
  }

  #now(): Date {
    return this.#deps.now?.() ?? new Date();
  }
}
