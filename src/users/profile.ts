/** What Cognito holds about a user at one moment. */
export interface DirectoryUser {
  /** The Cognito `sub`; our user id. */
  readonly id: string;
  /** Cognito's username (a UUID in pools that sign in by email). */
  readonly username: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly groups: readonly string[];
  readonly enabled: boolean;
  readonly createdAt: string;
  /** Cognito's UserLastModifiedDate, ISO 8601; orders snapshots. */
  readonly updatedAt: string;
}

/**
 * The public profile stored in the users table and served by the API.
 * Never holds an email address or a phone number.
 */
export interface UserProfile {
  readonly id: string;
  readonly name?: string;
  readonly nickname?: string;
  readonly picture?: string;
  readonly groups: readonly string[];
  readonly enabled: boolean;
  readonly createdAt: string;
  readonly updatedAt: string;
  /**
   * When Cognito was read for this copy, taken just before the read (for a
   * full resync, when its listing began). Orders two snapshots with the
   * same `updatedAt`, which group changes do not move.
   */
  readonly syncedAt: string;
}

export const GRAVATAR_ATTRIBUTE = "custom:enable_gravatar";

/** True when the user opted in to the avatar cache and has an email. */
export function wantsGravatar(user: DirectoryUser): boolean {
  return (
    user.attributes[GRAVATAR_ATTRIBUTE] === "true" &&
    Boolean(user.attributes.email?.trim())
  );
}

/** The profile for `user`, with `picture` as decided by the avatar cache. */
export function toProfile(
  user: DirectoryUser,
  picture: string | undefined,
  syncedAt: string,
): UserProfile {
  return {
    id: user.id,
    name: user.attributes.name,
    nickname: user.attributes.nickname,
    picture,
    groups: [...user.groups].sort(),
    enabled: user.enabled,
    createdAt: user.createdAt,
    updatedAt: user.updatedAt,
    syncedAt,
  };
}

/** True when the two profiles differ in anything but `syncedAt`. */
export function profileChanged(
  stored: UserProfile | undefined,
  next: UserProfile,
): boolean {
  if (!stored) return true;
  const { syncedAt: _a, ...before } = stored;
  const { syncedAt: _b, ...after } = next;

  return JSON.stringify(normalise(before)) !== JSON.stringify(normalise(after));
}

function normalise(value: Record<string, unknown>) {
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, field]) => field !== undefined)
      .sort(([a], [b]) => a.localeCompare(b)),
  );
}
