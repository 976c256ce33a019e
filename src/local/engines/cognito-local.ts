import { type ChildProcess, spawn } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { join } from "node:path";
import {
  type ConfirmationCode,
  confirmationCodeReader,
} from "./confirmation-codes.ts";
import { type Engine, type Listen, LOOPBACK } from "./types.ts";

export interface CognitoLocalOptions extends Listen {
  /** Working folder; cognito-local keeps its state in `.cognito/` there. */
  directory: string;
  /** Lambda Invoke endpoint that receives trigger calls. */
  lambdaEndpoint?: string;
  /** Trigger name → Lambda function name, e.g. PostAuthentication. */
  triggers?: Record<string, string>;
  /** Receives each confirmation code cognito-local "sends". */
  onConfirmationCode?: (delivery: ConfirmationCode) => void;
  /** Aborting stops the wait, ends the child and rejects with its reason. */
  signal?: AbortSignal;
}

const STARTUP_TIMEOUT_MS = 20_000;

/**
 * Starts cognito-local as a child process (it has no in-process API) and
 * waits until it answers. Its token issuer is its own URL, so `jose` can
 * fetch the JWKS at `<issuer>/.well-known/jwks.json`.
 */
export async function startCognitoLocal(
  options: CognitoLocalOptions,
): Promise<Engine> {
  const port = options.port || (await freePort());
  const endpoint = `http://${LOOPBACK}:${port}`;
  await writeCognitoConfig(options, endpoint);
  options.signal?.throwIfAborted();

  const bin = createRequire(import.meta.url).resolve(
    "cognito-local/lib/bin/start.js",
  );
  const child = spawn(process.execPath, [bin], {
    cwd: options.directory,
    env: { ...process.env, PORT: String(port), HOST: LOOPBACK },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    output.push(chunk.toString());
    if (output.length > 50) output.shift();
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  if (options.onConfirmationCode) {
    const read = confirmationCodeReader(options.onConfirmationCode);
    child.stdout?.on("data", (chunk: Buffer) => read(chunk.toString()));
  }

  try {
    await waitUntilListening(child, endpoint, options.signal);
  } catch (error) {
    await killChild(child);
    if (options.signal?.aborted) throw options.signal.reason;
    throw new Error(
      `cognito-local did not start on ${endpoint}: ${(error as Error).message}\n${output.join("")}`,
    );
  }

  return { endpoint, stop: () => stopChild(child) };
}

async function writeCognitoConfig(
  options: CognitoLocalOptions,
  endpoint: string,
): Promise<void> {
  const folder = join(options.directory, ".cognito");
  await mkdir(folder, { recursive: true });
  const config = {
    TokenConfig: { IssuerDomain: endpoint },
    TriggerFunctions: options.triggers ?? {},
    LambdaClient: {
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
      region: "local",
      ...(options.lambdaEndpoint ? { endpoint: options.lambdaEndpoint } : {}),
    },
  };
  await writeFile(join(folder, "config.json"), JSON.stringify(config, null, 2));
}

async function waitUntilListening(
  child: ChildProcess,
  endpoint: string,
  signal?: AbortSignal,
): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    signal?.throwIfAborted();
    if (hasExited(child)) {
      throw new Error(
        `it exited with ${child.exitCode ?? child.signalCode ?? "no code"}`,
      );
    }
    try {
      await fetch(endpoint, {
        method: "POST",
        signal: AbortSignal.timeout(500),
      });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`no answer within ${STARTUP_TIMEOUT_MS} ms`);
}

/** A child ended by a signal has no exit code, only a signal code. */
function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function stopChild(child: ChildProcess): Promise<void> {
  if (hasExited(child)) return Promise.resolve();

  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill("SIGKILL"), 3000);
    child.once("exit", () => {
      clearTimeout(force);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

/** Ends a child that never became ready, and waits until it is gone. */
function killChild(child: ChildProcess): Promise<void> {
  if (hasExited(child)) return Promise.resolve();

  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGKILL");
  });
}

/** Asks the OS for a free port on loopback, for a child process to bind. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, LOOPBACK, () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
