import { buildApp } from "fauxqs";
import { type Engine, type Listen, LOOPBACK } from "./types.ts";

/**
 * Starts fauxqs (SQS) in this process, bound to loopback only;
 * `startFauxqs` would bind every interface.
 */
export async function startFauxqs(options: Listen = {}): Promise<Engine> {
  const app = buildApp({ logger: false, host: LOOPBACK });
  const address = await app.listen({ port: options.port ?? 0, host: LOOPBACK });

  return {
    endpoint: address.replace("localhost", LOOPBACK),
    stop: async () => {
      await app.close();
    },
  };
}
