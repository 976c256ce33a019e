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

export type SyncOutcome =
  | { readonly status: "synced"; readonly profile: UserProfile }
  | { readonly status: "unchanged"; readonly profile: UserProfile }
  /** The table holds a newer Cognito snapshot; `profile` is what it holds. */
  | { readonly status: "stale"; readonly profile: UserProfile | undefined }
  /** The user no longer exists in Cognito; profile and avatar are gone. */
  | { readonly status: "removed" };

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
    const user = await this.#deps.directory.getUser(userId);
    if (!user) return this.remove(userId);

    const stored = await this.#deps.store.get(userId);

    return this.apply(user, stored);
  }

  /**
   * Stores the profile for a user already read from Cognito, given what the
   * table holds (`stored`); the full resync reads both in bulk.
   */
  async apply(
    user: DirectoryUser,
    stored: UserProfile | undefined,
  ): Promise<SyncOutcome> {
    const picture = await this.#deps.avatars.resolve(user, stored?.picture);
    if (picture !== user.attributes.picture) {
      await this.#deps.directory.setPicture(user, picture);
    }

    const syncedAt = (this.#deps.now?.() ?? new Date()).toISOString();
    const profile = toProfile(user, picture, syncedAt);
    if (stored && !profileChanged(stored, profile)) {
      return { status: "unchanged", profile: stored };
    }

    const result = await this.#deps.store.put(profile);
    if (result === "stale") {
      return { status: "stale", profile: await this.#deps.store.get(user.id) };
    }

    return { status: "synced", profile };
  }

  /** Deletes the profile and cached avatar of a user Cognito no longer has. */
  async remove(userId: string): Promise<SyncOutcome> {
    await this.#deps.avatars.forget(userId);
    await this.#deps.store.delete(userId);

    return { status: "removed" };
  }
}
