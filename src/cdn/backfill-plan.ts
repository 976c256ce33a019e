/**
 * The shared first half of backfill and verify: choose the directories,
 * list both sides, refuse keys that cannot live in R2, and diff.
 */

import { CdnUnknownDirError } from "./backfill-errors.ts";
import type { BackfillPorts, ListedObject } from "./backfill-ports.ts";
import { diffListings, type ListingDiff, settleUnsure } from "./diff.ts";
import { keyRefusal, r2KeyFor } from "./keys.ts";
import type { Registry, RegistryEntry } from "./types.ts";

/** HEADs in flight while settling unsure pairs; they are cheap requests. */
const SETTLE_CONCURRENCY = 16;

/** A source key that R2 cannot hold, and why. */
export interface RefusedKey {
  readonly key: string;
  readonly reason: string;
}

/** What one directory needs, before anything is changed. */
export interface DirPlan {
  readonly entry: RegistryEntry;
  readonly diff: ListingDiff;
  readonly refused: readonly RefusedKey[];
  /** Objects under `<dir>/` in R2 when listed; the delete cap's base. */
  readonly targetCount: number;
}

/**
 * The registry entries named by `dirs` (all when empty), in registry
 * order. Throws CdnUnknownDirError naming every unknown directory.
 */
export function selectEntries(
  registry: Registry,
  dirs: readonly string[] = [],
): RegistryEntry[] {
  const wanted = new Set(dirs.map((dir) => dir.replace(/^\/+|\/+$/g, "")));
  if (wanted.size === 0) return [...registry];

  const known = new Set(registry.map((entry) => entry.dir));
  const unknown = [...wanted].filter((dir) => !known.has(dir));
  if (unknown.length > 0) throw new CdnUnknownDirError(unknown, [...known]);

  return registry.filter((entry) => wanted.has(entry.dir));
}

/** Lists both sides of `entry` and compares them; `signal` cuts it off. */
export async function planDir(
  ports: BackfillPorts,
  entry: RegistryEntry,
  r2Bucket: string,
  signal?: AbortSignal,
): Promise<DirPlan> {
  const [sourceObjects, targetObjects] = await Promise.all([
    collect(ports.source.list(entry.bucket, "", signal)),
    collect(ports.target.list(r2Bucket, `${entry.dir}/`, signal)),
  ]);

  const refused: RefusedKey[] = [];
  const accepted = sourceObjects.filter((object) => {
    const reason = keyRefusal(entry.dir, object.key);
    if (reason) refused.push({ key: object.key, reason });
    return !reason;
  });
  const rough = diffListings(accepted, targetObjects);
  const readStoredEtag = (key: string) =>
    ports.target.storedSourceEtag(r2KeyFor(entry.dir, key));
  const diff = await settleUnsure(rough, readStoredEtag, SETTLE_CONCURRENCY);

  return { entry, diff, refused, targetCount: targetObjects.length };
}

async function collect(
  pages: AsyncIterable<readonly ListedObject[]>,
): Promise<ListedObject[]> {
  const objects: ListedObject[] = [];
  for await (const page of pages) objects.push(...page);

  return objects;
}
