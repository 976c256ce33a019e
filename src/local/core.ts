/**
 * The local core (`npm start`, `core dev`): the engines, the resources and
 * the production handlers wired together on 127.0.0.1, with its data under
 * one home folder. Deleting that folder resets it.
 *
 * This module stays light: the services (every SDK, the handlers) are
 * imported while the engines boot, which saves most of a second on start.
 */
import { mkdir } from "node:fs/promises";
import { resolve } from "node:path";
import { removeEndpointsFile } from "./core-endpoints.ts";
import { startCoreEngines } from "./core-engines.ts";
import type { LocalEndpoints } from "./endpoints-file.ts";
import { LOOPBACK } from "./engines/types.ts";
import {
  LocalCorePortBusyError,
  LocalCoreRunningElsewhereError,
} from "./errors.ts";
import { identifyLocalCore } from "./identity-route.ts";
import { lockHome } from "./lock.ts";
import { formatConfirmationCode, type Print } from "./log-format.ts";
import { enginePorts, listenError } from "./ports.ts";

type Env = Record<string, string | undefined>;

export interface LocalCoreOptions {
  readonly home: string;
  readonly port: number;
  /** Directory → bucket, registered besides avatars. */
  readonly extraBuckets: Record<string, string>;
  /** Passed through to the handlers' configuration (Gravatar, intervals). */
  readonly env: Env;
  readonly print: Print;
  /**
   * Aborting it stops the start: what had started is stopped and the
   * start rejects with the signal's reason.
   */
  readonly signal?: AbortSignal;
}

export interface LocalCore {
  readonly endpoints: LocalEndpoints;
  /** Stops everything and releases the home folder; data stays. */
  stop(): Promise<void>;
}

/** Starts the core; on failure, whatever had started is stopped again. */
export async function startLocalCore(
  options: LocalCoreOptions,
): Promise<LocalCore> {
  const home = resolve(options.home);
  await mkdir(home, { recursive: true });
  const cleanups: Array<() => Promise<void>> = [await lockHome(home)];
  const stop = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      await cleanup().catch(() => {});
    }
  };

  try {
    const endpoints = await startParts(home, options, cleanups);
    options.signal?.throwIfAborted();

    return { endpoints, stop };
  } catch (error) {
    await stop();
    // Whatever failed after an abort failed because of it.
    throw options.signal?.aborted ? options.signal.reason : error;
  }
}

/**
 * Engines, then services, each pushing its stop onto `cleanups`; checks
 * the signal between steps, since a step cut short could leave a part
 * running that no cleanup knows of.
 */
async function startParts(
  home: string,
  options: LocalCoreOptions,
  cleanups: Array<() => Promise<void>>,
): Promise<LocalEndpoints> {
  const { signal } = options;
  signal?.throwIfAborted();
  await removeEndpointsFile(home);
  cleanups.push(() => removeEndpointsFile(home));
  await ensurePortsFree(options.port);
  signal?.throwIfAborted();

  const starting = startCoreEngines({
    home,
    corePort: options.port,
    onConfirmationCode: (delivery) =>
      options.print(formatConfirmationCode(delivery)),
    signal,
  });
  const loading = import("./core-services.ts");
  const [started] = await Promise.allSettled([starting, loading]);
  if (started.status === "fulfilled") cleanups.push(started.value.stop);
  const [engines, services] = await Promise.all([starting, loading]);
  signal?.throwIfAborted();

  return services.startCoreServices(engines, home, options, cleanups);
}

/**
 * Fails early, before any engine starts, when a port is taken; saying so
 * when what holds the HTTP port is another local core.
 */
async function ensurePortsFree(corePort: number): Promise<void> {
  const ports = { "HTTP API": corePort, ...enginePorts(corePort) };
  for (const [user, port] of Object.entries(ports)) {
    const error = await listenError(port);
    if (!error) continue;

    if (port === corePort) await refuseIfLocalCore(corePort);
    throw new LocalCorePortBusyError(port, user, corePort, error);
  }
}

async function refuseIfLocalCore(corePort: number): Promise<void> {
  const api = `http://${LOOPBACK}:${corePort}`;
  const running = await identifyLocalCore(api);
  if (running) {
    throw new LocalCoreRunningElsewhereError(api, running.home, running.pid);
  }
}
