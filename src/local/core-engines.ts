/**
 * The engines of the local core, each keeping its data under the home
 * folder (fauxqs excepted: it has no persistence), all on 127.0.0.1 on the
 * ports after the core's own (see ports.ts).
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { startCognitoLocal } from "./engines/cognito-local.ts";
import type { ConfirmationCode } from "./engines/confirmation-codes.ts";
import { startDynalite } from "./engines/dynalite.ts";
import { startFauxqs } from "./engines/fauxqs.ts";
import { type S3rverEngine, startS3rver } from "./engines/s3rver.ts";
import { startSsmSecrets } from "./engines/ssm-secrets.ts";
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

export async function startCoreEngines(
  home: string,
  corePort: number,
  onConfirmationCode?: (delivery: ConfirmationCode) => void,
): Promise<CoreEngines> {
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
    const [cognito, dynamo, s3, sqs, ssm] = await Promise.all([
      track(
        startCognitoLocal({
          port: ports.cognito,
          directory: folders.cognito,
          lambdaEndpoint: lambda.endpoint,
          triggers: { PostAuthentication: POST_AUTHENTICATION_FUNCTION },
          onConfirmationCode,
        }),
      ),
      track(startDynalite({ port: ports.dynamo, path: folders.dynamo })),
      track(startS3rver({ port: ports.s3, directory: folders.s3 })),
      track(startFauxqs({ port: ports.sqs })),
      track(startSsmSecrets({ port: ports.ssm, file: folders.ssm })),
    ]);

    return { lambda, cognito, dynamo, s3, sqs, ssm, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
