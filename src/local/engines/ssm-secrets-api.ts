/**
 * The operations of the local SSM / Secrets Manager engine, keyed by their
 * `X-Amz-Target`, over a plain in-memory state. Errors carry AWS's
 * `__type` names so SDK clients throw their own exception classes.
 */
import { randomUUID } from "node:crypto";

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

/** Everything the engine stores; saved as JSON when persisted. */
export interface State {
  parameters: Record<string, StoredParameter>;
  secrets: Record<string, StoredSecret>;
}

export type Input = Record<string, unknown>;
type Operation = (input: Input, state: State) => object;

/** An answer AWS gives as a 400 with `__type`. */
export class AwsFault extends Error {
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

/** Each supported operation by its `X-Amz-Target`. */
export const OPERATIONS: Record<string, Operation> = {
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

/** Operations that change nothing, so nothing needs saving. */
export const READ_ONLY = new Set([
  "AmazonSSM.GetParameter",
  "AmazonSSM.GetParametersByPath",
  "secretsmanager.GetSecretValue",
]);
