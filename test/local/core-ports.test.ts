import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Hono } from "hono";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConfigError, localConfig } from "../../src/config.ts";
import type { AppEnv } from "../../src/http/context.ts";
import { serveApp } from "../../src/http/serve.ts";
import { startLocalCore } from "../../src/local/core.ts";
import {
  LocalCorePortBusyError,
  LocalCoreRunningElsewhereError,
} from "../../src/local/errors.ts";
import { registerIdentityRoute } from "../../src/local/identity-route.ts";
import { PID_FILE } from "../../src/local/lock.ts";
import { enginePorts, MAX_CORE_PORT } from "../../src/local/ports.ts";
import { allFree, corePortsOf, freeCorePort } from "../support/core-ports.ts";

let home: string;
let squatter: Server | undefined;
/** The squatter's connections; close() would wait for a probe's to end. */
const connections = new Set<Socket>();

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), "core-ports-"));
});

afterEach(async () => {
  for (const socket of connections) socket.destroy();
  connections.clear();
  await new Promise((resolve) => squatter?.close(resolve) ?? resolve(null));
  squatter = undefined;
  await rm(home, { recursive: true, force: true });
});

function occupy(
  port: number,
  onConnection: (socket: Socket) => void = () => {},
): Promise<void> {
  squatter = createServer((socket) => {
    connections.add(socket);
    onConnection(socket);
  });
  return new Promise((resolve) => squatter?.listen(port, "127.0.0.1", resolve));
}

function answerNotFound(socket: Socket): void {
  socket.end(
    "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}",
  );
}

async function startCoreOn(port: number) {
  return startLocalCore({
    home,
    port,
    extraBuckets: {},
    env: {},
    print: () => {},
  });
}

describe("local core ports", () => {
  it("gives each engine its own port after the core's", () => {
    const ports = Object.values(enginePorts(4000)).sort();
    expect(ports).toEqual([4001, 4002, 4003, 4004, 4005, 4006]);
  });

  it("accepts CORE_PORT up to the last one with room for every engine", () => {
    const at = (port: number) => localConfig({ CORE_PORT: String(port) });

    expect(at(MAX_CORE_PORT).CORE_PORT).toBe(MAX_CORE_PORT);
    expect(() => at(MAX_CORE_PORT + 1)).toThrow(ConfigError);
  });

  it("gives tests a CORE_PORT whose seven ports are free and allowed", async () => {
    const first = await freeCorePort();
    const second = await freeCorePort();

    for (const port of [first, second]) {
      expect(localConfig({ CORE_PORT: String(port) }).CORE_PORT).toBe(port);
      expect(await allFree(corePortsOf(port))).toBe(true);
    }
    expect(corePortsOf(first)).not.toContain(second);
  });

  it("names the busy engine port and starts nothing", async () => {
    const port = await freeCorePort();
    await occupy(enginePorts(port).s3);

    const starting = startLocalCore({
      home,
      port,
      extraBuckets: {},
      env: {},
      print: () => {},
    });

    await expect(starting).rejects.toThrow(LocalCorePortBusyError);
    await expect(starting).rejects.toThrow(
      `port ${port + 3} (for s3) is already in use`,
    );
    expect(existsSync(join(home, PID_FILE))).toBe(false);
    expect(existsSync(join(home, "cognito"))).toBe(false);
  });

  it("says a local core from another home serves the HTTP port", async () => {
    const port = await freeCorePort();
    const app = new Hono<AppEnv>();
    registerIdentityRoute(app, { home: "/elsewhere/.core", pid: 4242 });
    const other = await serveApp(app, { port });

    try {
      const starting = startCoreOn(port);

      await expect(starting).rejects.toThrow(LocalCoreRunningElsewhereError);
      await expect(starting).rejects.toThrow(
        `a local core is already running at http://127.0.0.1:${port} (home: /elsewhere/.core)`,
      );
      expect(existsSync(join(home, PID_FILE))).toBe(false);
    } finally {
      await other.stop();
    }
  });

  it.each([
    ["a program that never answers", () => {}],
    ["an HTTP server that is no core", answerNotFound],
  ])("reports the HTTP port as busy when %s holds it", async (_, answer) => {
    const port = await freeCorePort();
    await occupy(port, answer);

    await expect(startCoreOn(port)).rejects.toThrow(
      `port ${port} (for HTTP API) is already in use`,
    );
  });
});
