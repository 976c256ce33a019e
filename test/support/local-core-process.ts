/**
 * Runs the local core as `npm start` does, in a child process, and waits
 * until its endpoints.json appears. Shared by the end-to-end test and the
 * benchmark.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import type { LocalEndpoints } from "../../src/local/endpoints-file.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const STARTUP_TIMEOUT_MS = 45_000;

export interface CoreProcess {
  readonly child: ChildProcess;
  /** Everything it printed so far, stdout and stderr. */
  output(): string;
  /** Resolves with the exit code once it has exited. */
  readonly exited: Promise<number | null>;
  /** Ctrl-C, then waits for the exit code. */
  stop(): Promise<number | null>;
}

/** What a `core` command printed and how it ended. */
export interface CoreRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface SpawnOptions {
  /** Its own process group, so a test can signal it as a terminal does. */
  readonly processGroup?: boolean;
}

/** Spawns `core dev` with `env` added to this process's environment. */
export function spawnCore(
  env: Record<string, string>,
  options: SpawnOptions = {},
): CoreProcess {
  const child = spawnCli(["dev"], env, options);
  const chunks: string[] = [];
  child.stdout?.on("data", (chunk: Buffer) => chunks.push(chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => chunks.push(chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => resolve(code)),
  );

  return {
    child,
    output: () => chunks.join(""),
    exited,
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGINT");
      return exited;
    },
  };
}

/** Runs `core <args>` as a user would, e.g. `dev token me@example.test`. */
export async function runCore(
  args: readonly string[],
  env: Record<string, string>,
): Promise<CoreRun> {
  const child = spawnCli(args, env);
  const stdout: string[] = [];
  const stderr: string[] = [];
  child.stdout?.on("data", (chunk: Buffer) => stdout.push(chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => stderr.push(chunk.toString()));
  const code = await new Promise<number | null>((resolve) =>
    child.once("close", (exitCode) => resolve(exitCode)),
  );

  return { code, stdout: stdout.join(""), stderr: stderr.join("") };
}

/** `bin/core.js <args>` from the repository, as `npx core` runs it. */
function spawnCli(
  args: readonly string[],
  env: Record<string, string>,
  options: SpawnOptions = {},
): ChildProcess {
  return spawn(
    process.execPath,
    ["--openssl-legacy-provider", "bin/core.js", ...args],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        NODE_OPTIONS: "",
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
      detached: options.processGroup ?? false,
    },
  );
}

/** Waits for `<home>/endpoints.json`; fails with the output if it exits. */
export async function waitForEndpoints(
  core: CoreProcess,
  home: string,
): Promise<LocalEndpoints> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (core.child.exitCode !== null) {
      throw new Error(
        `the core exited with ${core.child.exitCode}:\n${core.output()}`,
      );
    }
    try {
      const text = await readFile(join(home, "endpoints.json"), "utf8");
      return JSON.parse(text) as LocalEndpoints;
    } catch {
      await sleep(25);
    }
  }
  await core.stop();
  throw new Error(`the core did not start in time:\n${core.output()}`);
}

/** Polls `probe` every `intervalMs` until it returns a value. */
export async function eventually<T>(
  probe: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 10_000,
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await sleep(intervalMs);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** The answer at `url` once its status is `status`. */
export function served(url: string, status: number): Promise<Response> {
  return eventually(async () => {
    const response = await fetch(url);
    if (response.status === status) return response;
    await response.arrayBuffer();
    return undefined;
  }, `${url} to answer ${status}`);
}
