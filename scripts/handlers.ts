/** The Lambda handlers under src/handlers/, one bundle each in dist/. */
export const HANDLERS = [
  "post-authentication",
  "sync-worker",
  "api",
  "resync",
  "cdn-sync",
  "cdn-backfill-page",
];
