/**
 * A CORE_PORT for a test's local core: one whose own port and the engine
 * ports after it are all free now and within CORE_PORT's limit.
 */
import {
  ENGINE_PORT_COUNT,
  enginePorts,
  listenError,
  MAX_CORE_PORT,
} from "../../src/local/ports.ts";

/**
 * Below the ephemeral ranges of Linux (32768+) and macOS (49152+): the OS
 * never hands these out for port 0 or outgoing connections, so a block
 * found free stays free until the core binds it.
 */
const LOWEST = 20_000;
const HIGHEST = Math.min(32_000, MAX_CORE_PORT);
const ATTEMPTS = 50;

/** Blocks handed out by this process, so two tests never share one. */
const handedOut = new Set<number>();

/** A base port whose seven ports are free, or throws after many tries. */
export async function freeCorePort(): Promise<number> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const base = LOWEST + Math.floor(Math.random() * (HIGHEST - LOWEST + 1));
    if (overlapsHandedOut(base)) continue;
    if (await allFree(corePortsOf(base))) {
      handedOut.add(base);

      return base;
    }
  }
  throw new Error(
    `no ${ENGINE_PORT_COUNT + 1} free consecutive ports between ${LOWEST} and ${HIGHEST} after ${ATTEMPTS} tries`,
  );
}

/** The core's own port and every engine port after it. */
export function corePortsOf(base: number): number[] {
  return [base, ...Object.values(enginePorts(base))];
}

/** Whether nothing listens on any of `ports` on 127.0.0.1. */
export async function allFree(ports: readonly number[]): Promise<boolean> {
  for (const port of ports) {
    if (!(await isFree(port))) return false;
  }

  return true;
}

function overlapsHandedOut(base: number): boolean {
  return [...handedOut].some(
    (taken) => Math.abs(taken - base) <= ENGINE_PORT_COUNT,
  );
}

async function isFree(port: number): Promise<boolean> {
  return (await listenError(port)) === undefined;
}
