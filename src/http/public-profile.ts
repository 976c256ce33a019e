/**
 * The JSON shape of a profile on the wire. Only UserProfile's own fields are
 * copied, so anything else a store keeps on the item (the rate-limit stamp
 * `syncRequestedAt`, say) can never leak into a response.
 */
import type { UserProfile } from "../users/profile.ts";

/** A profile as served by the API; absent optional fields are omitted. */
export type PublicProfile = UserProfile;

/** The public JSON for `profile`. */
export function publicProfile(profile: UserProfile): PublicProfile {
  return {
    id: profile.id,
    ...(profile.name === undefined ? {} : { name: profile.name }),
    ...(profile.nickname === undefined ? {} : { nickname: profile.nickname }),
    ...(profile.picture === undefined ? {} : { picture: profile.picture }),
    groups: [...profile.groups],
    enabled: profile.enabled,
    createdAt: profile.createdAt,
    updatedAt: profile.updatedAt,
    syncedAt: profile.syncedAt,
  };
}
