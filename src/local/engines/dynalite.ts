import type { AddressInfo } from "node:net";
import dynalite from "dynalite";
import { type Engine, type Listen, LOOPBACK } from "./types.ts";

export interface DynaliteOptions extends Listen {
  /** LevelDB folder; in memory when absent. */
  path?: string;
}

/** Starts dynalite in this process. Tables become ACTIVE at once. */
export async function startDynalite(
  options: DynaliteOptions = {},
): Promise<Engine> {
  const server = dynalite({
    ...(options.path ? { path: options.path } : {}),
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, LOOPBACK, () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://${LOOPBACK}:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections?.();
      }),
  };
}
