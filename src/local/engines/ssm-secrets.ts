/**
 * A small SSM Parameter Store and Secrets Manager for local runs and tests;
 * no npm emulator exists. It speaks the AWS JSON 1.1 protocol on 127.0.0.1
 * and answers errors with AWS's `__type` names, so the real SDK clients throw
 * their own exception classes. Only the operations the core uses exist.
 */
import { randomUUID } from "node:crypto";
import { readFile, rename, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import {
  AwsFault,
  type Input,
  OPERATIONS,
  READ_ONLY,
  type State,
} from "./ssm-secrets-api.ts";
import { type Engine, type Listen, LOOPBACK } from "./types.ts";

export interface SsmSecretsOptions extends Listen {
  /** JSON file holding the state across restarts; in memory when absent. */
  file?: string;
}

/** Starts the engine in this process, loading `file` if it exists. */
export async function startSsmSecrets(
  options: SsmSecretsOptions = {},
): Promise<Engine> {
  const state = await loadState(options.file);
  // Writes are chained so two requests never race on the temporary file.
  let saving = Promise.resolve();
  const save = (file: string) => {
    const write = async () => {
      const temporary = `${file}.${process.pid}.tmp`;
      await writeFile(temporary, JSON.stringify(state, null, 2));
      await rename(temporary, file);
    };
    saving = saving.then(write, write);
    return saving;
  };

  const server = createServer(async (request, response) => {
    const target = String(request.headers["x-amz-target"] ?? "");
    let status = 200;
    let body: object;
    try {
      const operation = OPERATIONS[target];
      if (!operation) {
        throw new AwsFault("UnknownOperationException", `No ${target}`);
      }
      body = operation(await readJson(request), state);
      if (options.file && !READ_ONLY.has(target)) await save(options.file);
    } catch (error) {
      const fault =
        error instanceof AwsFault
          ? error
          : new AwsFault("InternalFailure", (error as Error).message);
      status = fault.type === "InternalFailure" ? 500 : 400;
      body = { __type: fault.type, message: fault.message };
    }
    response.writeHead(status, {
      "content-type": "application/x-amz-json-1.1",
      "x-amzn-requestid": randomUUID(),
    });
    response.end(JSON.stringify(body));
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
        server.closeAllConnections();
      }),
  };
}

async function loadState(file: string | undefined): Promise<State> {
  const empty: State = { parameters: {}, secrets: {} };
  if (!file) return empty;

  try {
    return { ...empty, ...JSON.parse(await readFile(file, "utf8")) };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return empty;
    throw error;
  }
}

async function readJson(request: IncomingMessage): Promise<Input> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks).toString("utf8");
  if (raw === "") return {};

  try {
    return JSON.parse(raw) as Input;
  } catch {
    throw new AwsFault("SerializationException", "The body is not JSON");
  }
}
