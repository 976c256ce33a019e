/**
 * `GET /local-core` on the core's HTTP port says that a local core serves
 * it, and from which home folder. A second start on the same port (another
 * CORE_HOME, or `npx core dev` from another directory, since `.core` is
 * relative) asks it, so it can say a core runs there, not just "port busy".
 */
import type { Hono } from "hono";
import type { AppEnv } from "../http/context.ts";

export const IDENTITY_PATH = "/local-core";
/** Loopback answers in microseconds; this only bounds a silent squatter. */
const PROBE_TIMEOUT_MS = 1000;

export interface LocalCoreIdentity {
  /** Absolute path of the running core's home folder. */
  readonly home: string;
  readonly pid: number;
}

/** Adds the identity route to the local core's app. */
export function registerIdentityRoute(
  app: Hono<AppEnv>,
  identity: LocalCoreIdentity,
): void {
  app.get(IDENTITY_PATH, (c) => c.json({ localCore: true, ...identity }));
}

/** Who serves `api`, or undefined when it is not a local core. */
export async function identifyLocalCore(
  api: string,
): Promise<LocalCoreIdentity | undefined> {
  try {
    const response = await fetch(`${api}${IDENTITY_PATH}`, {
      signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
    });
    const body = (await response.json()) as Partial<{
      localCore: unknown;
      home: unknown;
      pid: unknown;
    }>;
    if (body.localCore !== true || typeof body.home !== "string") {
      return undefined;
    }

    return { home: body.home, pid: Number(body.pid) };
  } catch {
    // Not HTTP, not JSON, or no answer in time: some other program.
    return undefined;
  }
}
