/**
 * Public profile reads: `GET /v1/users/:id` and `GET /v1/users?ids=a,b,c`.
 * They need no token: profiles hold nothing private.
 */
import type { Hono } from "hono";
import { isUserId } from "../../users/sync-request.ts";
import type { AppEnv } from "../context.ts";
import type { AppDeps } from "../deps.ts";
import { HttpBadRequestError, HttpNotFoundError } from "../errors.ts";
import { publicProfile } from "../public-profile.ts";

/** Most profiles one request may ask for (also BatchGetItem's key limit). */
export const MAX_IDS_PER_REQUEST = 100;

/** The rule isUserId applies (Cognito subs are UUIDs; up to 128 allowed). */
const ID_RULE = "1 to 128 characters of A-Z, a-z, 0-9, - and _";

/** Adds the user routes to `app`. */
export function registerUserRoutes(app: Hono<AppEnv>, deps: AppDeps): void {
  app.get("/v1/users/:id", async (c) => {
    const id = c.req.param("id");
    if (!isUserId(id)) {
      throw new HttpBadRequestError(`The user id must be ${ID_RULE}`);
    }

    const profile = await deps.store.get(id);
    if (!profile) {
      throw new HttpNotFoundError("user_not_found", "No user has this id");
    }

    return c.json(publicProfile(profile), 200);
  });

  app.get("/v1/users", async (c) => {
    const ids = parseIds(c.req.queries("ids"));
    const profiles = await deps.store.getMany(ids);
    const byId = new Map(profiles.map((profile) => [profile.id, profile]));
    const users = ids.flatMap((id) => {
      const profile = byId.get(id);
      return profile ? [publicProfile(profile)] : [];
    });
    const missing = ids.filter((id) => !byId.has(id));

    return c.json({ users, missing }, 200);
  });
}

/**
 * The distinct ids of `ids=a,b,c` (repeated `ids` parameters add up), in
 * the order first given. Throws HttpBadRequestError naming the problem.
 */
export function parseIds(values: readonly string[] | undefined): string[] {
  const ids = [
    ...new Set(
      (values ?? [])
        .flatMap((value) => value.split(","))
        .map((id) => id.trim())
        .filter(Boolean),
    ),
  ];
  if (ids.length === 0) {
    throw new HttpBadRequestError(
      `Query parameter ids must list 1 to ${MAX_IDS_PER_REQUEST} user ids, comma-separated`,
    );
  }
  if (ids.length > MAX_IDS_PER_REQUEST) {
    throw new HttpBadRequestError(
      `Query parameter ids lists ${ids.length} user ids; at most ${MAX_IDS_PER_REQUEST} are allowed per request`,
    );
  }

  const bad = ids.findIndex((id) => !isUserId(id));
  if (bad >= 0) {
    throw new HttpBadRequestError(
      `Query parameter ids: entry ${bad + 1} is not a user id (${ID_RULE})`,
    );
  }

  return ids;
}
