/**
 * The local core's ports: its HTTP API on CORE_PORT and each engine on one
 * of the ports after it. Fixed ports keep a website's settings, and tokens
 * signed before a restart (their issuer is cognito-local's URL), valid.
 */
import { createServer } from "node:net";
import { LOOPBACK } from "./engines/types.ts";

/** The port of each engine, counted up from the core's HTTP port. */
export function enginePorts(corePort: number) {
  return {
    cognito: corePort + 1,
    dynamo: corePort + 2,
    s3: corePort + 3,
    sqs: corePort + 4,
    ssm: corePort + 5,
    lambda: corePort + 6,
  };
}

/** How many ports after CORE_PORT the engines take. */
export const ENGINE_PORT_COUNT = Object.keys(enginePorts(0)).length;

/** The highest CORE_PORT whose engine ports all exist (config.ts's limit). */
export const MAX_CORE_PORT = 65_535 - ENGINE_PORT_COUNT;

/** Why `port` cannot be bound on loopback now, or undefined if it can. */
export function listenError(port: number): Promise<Error | undefined> {
  return new Promise((resolvePort) => {
    const probe = createServer();
    probe.once("error", resolvePort);
    probe.listen(port, LOOPBACK, () =>
      probe.close(() => resolvePort(undefined)),
    );
  });
}
