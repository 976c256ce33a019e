/**
 * The engines of the local core, each keeping its data under the home
 * folder (fauxqs excepted: it has no persistence), all on 127.0.0.1 on the
 * ports after the core's own (see ports.ts).
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { startCognitoLocal } from "./engines/cognito-local.ts";
import type { ConfirmationCode } from "./engines/confirmation-codes.ts";
import type { S3rverEngine } from "./engines/s3rver.ts";
import type { Engine } from "./engines/types.ts";
import {
  type LambdaInvokeServer,
  startLambdaInvokeServer,
} from "./lambda-invoke-server.ts";
import { enginePorts } from "./ports.ts";

/** The Lambda function name cognito-local invokes after a sign-in. */
export const POST_AUTHENTICATION_FUNCTION = "post-authentication";

export interface CoreEngines {
  readonly lambda: LambdaInvokeServer;
  readonly cognito: Engine;
  readonly dynamo: Engine;
  readonly s3: S3rverEngine;
  readonly sqs: Engine;
  readonly ssm: Engine;
  /** Stops every engine; the data stays on disk. */
  stop(): Promise<void>;
}

/** Where each engine keeps its data under `home`. */
export function dataFolders(home: string) {
  return {
    cognito: join(home, "cognito"),
    dynamo: join(home, "dynamodb"),
    s3: join(home, "s3"),
    ssm: join(home, "ssm.json"),
  };
}

export interface CoreEnginesOptions {
  readonly home: string;
  readonly corePort: number;
  readonly onConfirmationCode?: (delivery: ConfirmationCode) => void;
  /** Aborting stops waiting for cognito-local, the slowest to start. */
  readonly signal?: AbortSignal;
}

export async function startCoreEngines(
  options: CoreEnginesOptions,
): Promise<CoreEngines> {
  const { home, corePort } = options;
  const folders = dataFolders(home);
  const ports = enginePorts(corePort);
  await Promise.all(
    [folders.cognito, folders.dynamo, folders.s3].map((folder) =>
      mkdir(folder, { recursive: true }),
    ),
  );
  const started: Engine[] = [];
  const track = <E extends Engine>(engine: Promise<E>) =>
    engine.then((running) => {
      started.push(running);
      return running;
    });
  const stop = async () => {
    await Promise.allSettled(started.map((engine) => engine.stop()));
  };

  try {
    const lambda = await track(startLambdaInvokeServer(ports.lambda));
    // cognito-local's child process boots while this process imports the
    // in-process engines (and, in core.ts, the SDKs and handlers).
    const cognito = track(
      startCognitoLocal({
        port: ports.cognito,
        directory: folders.cognito,
        lambdaEndpoint: lambda.endpoint,
        triggers: { PostAuthentication: POST_AUTHENTICATION_FUNCTION },
        onConfirmationCode: options.onConfirmationCode,
        signal: options.signal,
      }),
    );
    const [running, inProcess] = await allStarted([
      cognito,
      startInProcessEngines(folders, ports, track),
    ] as const);

    return { lambda, cognito: running, ...inProcess, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function startInProcessEngines(
  folders: ReturnType<typeof dataFolders>,
  ports: ReturnType<typeof enginePorts>,
  track: <E extends Engine>(engine: Promise<E>) => Promise<E>,
) {
  const [dynalite, s3rver, fauxqs, ssmSecrets] = await Promise.all([
    import("./engines/dynalite.ts"),
    import("./engines/s3rver.ts"),
    import("./engines/fauxqs.ts"),
    import("./engines/ssm-secrets.ts"),
  ]);
  const [dynamo, s3, sqs, ssm] = await allStarted([
    track(dynalite.startDynalite({ port: ports.dynamo, path: folders.dynamo })),
    track(s3rver.startS3rver({ port: ports.s3, directory: folders.s3 })),
    track(fauxqs.startFauxqs({ port: ports.sqs })),
    track(ssmSecrets.startSsmSecrets({ port: ports.ssm, file: folders.ssm })),
  ] as const);

  return { dynamo, s3, sqs, ssm };
}

/**
 * Promise.all that waits for every start to settle before it rejects, so an
 * engine still starting when another fails is tracked, and then stopped.
 */
async function allStarted<T extends readonly unknown[]>(
  starts: {
    readonly [K in keyof T]: Promise<T[K]>;
  },
): Promise<T> {
  await Promise.allSettled(starts);

  return (await Promise.all(starts)) as unknown as T;
}
