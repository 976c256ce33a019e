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
import { type Engine, type Listen, LOOPBACK } from "./types.ts";

export interface SsmSecretsOptions extends Listen {
  /** JSON file holding the state across restarts; in memory when absent. */
  file?: string;
}

/** GetParametersByPath returns at most 10 parameters per page, as in AWS. */
const PATH_PAGE_SIZE = 10;
const ARN_PREFIX = "arn:aws:ssm:us-east-1:000000000000:parameter";
const SECRET_ARN_PREFIX = "arn:aws:secretsmanager:us-east-1:000000000000";

interface StoredParameter {
  Name: string;
  Type: string;
  Value: string;
  Version: number;
  LastModifiedDate: number;
}

interface StoredSecret {
  Name: string;
  ARN: string;
  VersionId: string;
  SecretString: string;
  CreatedDate: number;
}

interface State {
  parameters: Record<string, StoredParameter>;
  secrets: Record<string, StoredSecret>;
}

type Input = Record<string, unknown>;
type Operation = (input: Input, state: State) => object;

/** An answer AWS gives as a 400 with `__type`. */
class AwsFault extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

const now = () => Date.now() / 1000;
const text = (input: Input, field: string) => {
  const value = input[field];
  if (typeof value !== "string" || value === "") {
    throw new AwsFault("ValidationException", `${field} is required`);
  }
  return value;
};

function parameterOf(state: State, name: string): StoredParameter {
  const parameter = state.parameters[name];
  if (!parameter) throw new AwsFault("ParameterNotFound", `${name} not found`);
  return parameter;
}

function secretOf(state: State, id: string): StoredSecret {
  const secret =
    state.secrets[id] ??
    Object.values(state.secrets).find((candidate) => candidate.ARN === id);
  if (!secret) {
    throw new AwsFault(
      "ResourceNotFoundException",
      "Secrets Manager can't find the specified secret.",
    );
  }
  return secret;
}

const shown = (parameter: StoredParameter) => ({
  ...parameter,
  ARN: `${ARN_PREFIX}${parameter.Name}`,
  DataType: "text",
});

function parametersByPath(input: Input, state: State) {
  const path = text(input, "Path").replace(/\/*$/, "/");
  const recursive = input.Recursive === true;
  const size = Math.min(Number(input.MaxResults) || PATH_PAGE_SIZE, 10);
  const start = input.NextToken ? Number(input.NextToken) : 0;
  if (!Number.isInteger(start) || start < 0) {
    throw new AwsFault("InvalidNextToken", "The NextToken is not valid.");
  }

  const matches = Object.keys(state.parameters)
    .filter((name) => name.startsWith(path))
    .filter((name) => recursive || !name.slice(path.length).includes("/"))
    .sort();
  const page = matches.slice(start, start + size);
  const next = start + size < matches.length ? String(start + size) : null;

  return {
    Parameters: page.map((name) => shown(parameterOf(state, name))),
    ...(next ? { NextToken: next } : {}),
  };
}

const OPERATIONS: Record<string, Operation> = {
  "AmazonSSM.PutParameter": (input, state) => {
    const name = text(input, "Name");
    const existing = state.parameters[name];
    if (existing && input.Overwrite !== true) {
      throw new AwsFault("ParameterAlreadyExists", `${name} already exists`);
    }
    const Version = (existing?.Version ?? 0) + 1;
    state.parameters[name] = {
      Name: name,
      Type: typeof input.Type === "string" ? input.Type : "String",
      Value: text(input, "Value"),
      Version,
      LastModifiedDate: now(),
    };
    return { Version, Tier: "Standard" };
  },
  "AmazonSSM.GetParameter": (input, state) => ({
    Parameter: shown(parameterOf(state, text(input, "Name"))),
  }),
  "AmazonSSM.GetParametersByPath": parametersByPath,
  "AmazonSSM.DeleteParameter": (input, state) => {
    delete state.parameters[parameterOf(state, text(input, "Name")).Name];
    return {};
  },
  "secretsmanager.CreateSecret": (input, state) => {
    const name = text(input, "Name");
    if (state.secrets[name]) {
      throw new AwsFault("ResourceExistsException", `${name} already exists`);
    }
    const secret = {
      Name: name,
      ARN: `${SECRET_ARN_PREFIX}:secret:${name}-${randomUUID().slice(0, 6)}`,
      VersionId: randomUUID(),
      SecretString: text(input, "SecretString"),
      CreatedDate: now(),
    };
    state.secrets[name] = secret;
    return { ARN: secret.ARN, Name: name, VersionId: secret.VersionId };
  },
  "secretsmanager.PutSecretValue": (input, state) => {
    const secret = secretOf(state, text(input, "SecretId"));
    secret.SecretString = text(input, "SecretString");
    secret.VersionId = randomUUID();
    return { ARN: secret.ARN, Name: secret.Name, VersionId: secret.VersionId };
  },
  "secretsmanager.GetSecretValue": (input, state) => ({
    ...secretOf(state, text(input, "SecretId")),
    VersionStages: ["AWSCURRENT"],
  }),
  "secretsmanager.DeleteSecret": (input, state) => {
    const secret = secretOf(state, text(input, "SecretId"));
    delete state.secrets[secret.Name];
    return { ARN: secret.ARN, Name: secret.Name, DeletionDate: now() };
  },
};

const READ_ONLY = new Set([
  "AmazonSSM.GetParameter",
  "AmazonSSM.GetParametersByPath",
  "secretsmanager.GetSecretValue",
]);

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
