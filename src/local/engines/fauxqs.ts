import { buildApp } from "fauxqs";
import { type Engine, type Listen, LOOPBACK } from "./types.ts";

/**
 * Starts fauxqs (SQS) in this process, bound to loopback only;
 * `startFauxqs` would bind every interface.
 */
export async function startFauxqs(options: Listen = {}): Promise<Engine> {
  // `host` only names queues: `http://sqs.<region>.localhost:<port>/...` is
  // a valid URL (a host ending in 127.0.0.1 would not be), and clients with
  // an endpoint override send requests there, not to the queue URL's host.
  const app = buildApp({ logger: false, host: "localhost" });
  const address = await app.listen({ port: options.port ?? 0, host: LOOPBACK });

  return {
    endpoint: address.replace("localhost", LOOPBACK),
    stop: async () => {
      await app.close();
    },
  };
}
