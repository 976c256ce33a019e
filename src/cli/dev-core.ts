/**
 * How the `core dev` helpers reach the local core: through the
 * endpoints.json of CORE_HOME. A core killed without its cleanup leaves the
 * file behind, so a refused connection is reported as a stopped core.
 */
import { localConfig } from "../config.ts";
import {
  type LocalEndpoints,
  readEndpointsFile,
} from "../local/endpoints-file.ts";
import { LocalCoreNotAnsweringError } from "../local/errors.ts";

/** Wraps a helper's action so it receives the running core's endpoints. */
export function againstCore<A extends unknown[]>(
  action: (endpoints: LocalEndpoints, ...args: A) => Promise<void>,
): (...args: A) => Promise<void> {
  return async function runAgainstCore(...args) {
    const home = localConfig().CORE_HOME;
    const endpoints = await readEndpointsFile(home);
    try {
      await action(endpoints, ...args);
    } catch (error) {
      const refused = refusedAddress(error);
      if (refused === undefined) throw error;
      throw new LocalCoreNotAnsweringError(home, refused, error);
    }
  };
}

interface NetError {
  code?: unknown;
  address?: unknown;
  port?: unknown;
  cause?: unknown;
  errors?: unknown;
}

/** `host:port` of a refused connection in `error` or its causes. */
function refusedAddress(error: unknown, depth = 0): string | undefined {
  const net = error as NetError | undefined;
  if (!net || typeof net !== "object" || depth > 5) return undefined;
  if (net.code === "ECONNREFUSED") {
    return net.port ? `${net.address}:${net.port}` : "";
  }
  const nested = [net.cause, ...(Array.isArray(net.errors) ? net.errors : [])];

  return nested
    .map((inner) => refusedAddress(inner, depth + 1))
    .find((address) => address !== undefined);
}
