/**
 * Keeps a copy of each opted-in user's Gravatar in our avatars bucket, so
 * pages load it from our CDN and never publish a hash of the user's email.
 * The avatar's key holds a hash of its bytes: a changed image gets a new
 * URL, and the CDN never serves a stale one.
 */
import { createHash } from "node:crypto";
import type { AvatarImage, AvatarStore, GravatarSource } from "./ports.ts";
import { type DirectoryUser, wantsGravatar } from "./profile.ts";

/** Where avatars live under the CDN; the avatars bucket is mirrored here. */
export const AVATARS_CDN_DIR = "avatars";

export interface AvatarCacheDeps {
  readonly store: AvatarStore;
  readonly gravatar: GravatarSource;
  /** E.g. `https://cdn.example.com`; a trailing slash is ignored. */
  readonly cdnBaseUrl: string;
}

/** True when `url` points at an avatar we cached on `cdnBaseUrl`. */
export function isOurs(url: string | undefined, cdnBaseUrl: string): boolean {
  if (!url) return false;

  return url.startsWith(`${trimSlash(cdnBaseUrl)}/${AVATARS_CDN_DIR}/`);
}

/** The bucket key for `image`: `<userId>/<sha256 of bytes>.<ext>`. */
export function avatarKey(userId: string, image: AvatarImage): string {
  const digest = createHash("sha256").update(image.bytes).digest("hex");

  return `${userId}/${digest}.${image.extension}`;
}

/** What the cache decided for one user. */
export interface AvatarResolution {
  /** The picture the profile should carry; undefined for none. */
  readonly picture: string | undefined;
  /**
   * Why Gravatar could not be used this time (timeout, 5xx, a refused
   * body), when it could not. Names the kind of failure only: never the
   * email, its hash or the request URL.
   */
  readonly gravatarUnavailable?: string;
}

/** Decides each user's picture and keeps the avatars bucket in step. */
export class AvatarCache {
  readonly #store: AvatarStore;
  readonly #gravatar: GravatarSource;
  readonly #cdnBaseUrl: string;

  constructor(deps: AvatarCacheDeps) {
    this.#store = deps.store;
    this.#gravatar = deps.gravatar;
    this.#cdnBaseUrl = trimSlash(deps.cdnBaseUrl);
  }

  /**
   * The picture the profile should carry, after storing or deleting the
   * user's cached avatar. `previous` is the picture in the users table. A
   * picture set elsewhere is never replaced unless the user opted in and
   * Gravatar has an image.
   *
   * With `sweep`, an opted-out user's folder is listed even when neither
   * picture is ours, which finds a copy left by a sync that stored it and
   * then failed before any picture pointed at it. Single-user syncs sweep;
   * the full resync does not, to spare one bucket listing per user.
   */
  async resolve(
    user: DirectoryUser,
    previous?: string,
    options: { readonly sweep?: boolean } = {},
  ): Promise<AvatarResolution> {
    const current = user.attributes.picture;
    const email = user.attributes.email;
    // Nothing is kept for a user who has not opted in, for privacy.
    if (!wantsGravatar(user) || !email) {
      if (options.sweep || this.isOurs(current) || this.isOurs(previous)) {
        await this.forget(user.id);
      }
      return { picture: this.#withoutOurs(current) };
    }

    const lookup = await this.#gravatar.lookup(email);
    switch (lookup.kind) {
      case "found":
        return { picture: await this.#keepOnly(user.id, lookup.image) };
      case "absent":
        await this.forget(user.id);
        return { picture: this.#withoutOurs(current) };
      case "unavailable":
        // Keep what is there; the next sync tries again.
        return { picture: current, gravatarUnavailable: lookup.reason };
    }
  }

  /** Deletes every avatar stored for `userId`, e.g. once the user is gone. */
  async forget(userId: string): Promise<void> {
    const keys = await this.#store.list(userId);
    await this.#store.delete(keys);
  }

  /** True when `url` points at an avatar this cache serves. */
  isOurs(url: string | undefined): boolean {
    return isOurs(url, this.#cdnBaseUrl);
  }

  /** The public URL of the object stored under `key`. */
  urlFor(key: string): string {
    const path = key.split("/").map(encodeURIComponent).join("/");

    return `${this.#cdnBaseUrl}/${AVATARS_CDN_DIR}/${path}`;
  }

  /** Stores `image` (unless present) and then deletes the user's others. */
  async #keepOnly(userId: string, image: AvatarImage): Promise<string> {
    const key = avatarKey(userId, image);
    const existing = await this.#store.list(userId);
    // Write before deleting, so the profile never points at nothing.
    if (!existing.includes(key)) await this.#store.put(key, image);
    await this.#store.delete(existing.filter((other) => other !== key));

    return this.urlFor(key);
  }

  #withoutOurs(current: string | undefined): string | undefined {
    return this.isOurs(current) ? undefined : current;
  }
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, "");
}
