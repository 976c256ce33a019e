/**
 * Ctrl-C and SIGTERM at any moment of `core dev`, the core running as
 * `npm start` runs it: whatever had started stops, nothing keeps a port or
 * a process, and the home folder is released.
 */
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readlink, rm } from "node:fs/promises";
import { connect } from "node:net";
import { constants, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { enginePorts } from "../../src/local/ports.ts";
import { allFree, corePortsOf, freeCorePort } from "../support/core-ports.ts";
import {
  type CoreProcess,
  eventually,
  spawnCore,
  waitForEndpoints,
} from "../support/local-core-process.ts";

const STARTUP_MS = 45_000;

let home: string;
let core: CoreProcess | undefined;

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), "core-signals-"));
});

afterEach(async () => {
  if (core?.child.exitCode === null) core.child.kill("SIGKILL");
  await rm(home, { recursive: true, force: true });
});

/** Resolves true once something accepts connections on `port`. */
function listening(port: number): Promise<true | undefined> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(undefined));
  });
}

/** Processes whose working folder is under `folder` (cognito-local's is). */
async function processesIn(folder: string): Promise<string[]> {
  const found: string[] = [];
  for (const pid of await readdir("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    const cwd = await readlink(`/proc/${pid}/cwd`).catch(() => "");
    if (cwd.startsWith(folder)) found.push(pid);
  }

  return found;
}

function send(target: CoreProcess, signal: NodeJS.Signals, group: boolean) {
  const pid = target.child.pid ?? 0;
  process.kill(group ? -pid : pid, signal);
}

async function expectNothingLeft(port: number): Promise<void> {
  expect(await allFree(corePortsOf(port))).toBe(true);
  expect(await processesIn(home)).toEqual([]);
  expect(existsSync(join(home, "core.pid"))).toBe(false);
  expect(existsSync(join(home, "endpoints.json"))).toBe(false);
}

describe.skipIf(!existsSync("/proc"))("signals to core dev", () => {
  it.each([
    ["SIGTERM to the core", "SIGTERM", false],
    ["Ctrl-C in its terminal", "SIGINT", true],
  ] as const)(
    "%s while cognito-local boots stops what had started",
    async (_, signal, group) => {
      const port = await freeCorePort();
      core = spawnCore(
        { CORE_HOME: home, CORE_PORT: String(port) },
        { processGroup: true },
      );
      // The Lambda Invoke server is the first engine up; cognito-local's
      // child process is spawned right after it and takes a second to boot.
      await eventually(
        () => listening(enginePorts(port).lambda),
        "the first engine",
        STARTUP_MS,
        10,
      );

      send(core, signal, group);

      expect(await core.exited).toBe(128 + constants.signals[signal]);
      expect(core.output()).toContain(`start-up interrupted by ${signal}`);
      expect(core.output()).not.toContain("Local core ready");
      await expectNothingLeft(port);
    },
  );

  it("Ctrl-C in its terminal once ready stops everything, exiting 0", async () => {
    const port = await freeCorePort();
    core = spawnCore(
      { CORE_HOME: home, CORE_PORT: String(port) },
      { processGroup: true },
    );
    await waitForEndpoints(core, home);

    send(core, "SIGINT", true);

    expect(await core.exited).toBe(0);
    await expectNothingLeft(port);
  });
});
