/**
 * AWS SDK clients, created on first use from the validated configuration.
 * A service with an endpoint override (the local engines) gets static
 * credentials that every engine accepts; s3rver insists on `S3RVER`.
 */
import { CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SQSClient } from "@aws-sdk/client-sqs";
import { SSMClient } from "@aws-sdk/client-ssm";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { AwsConfig } from "../config.ts";

export const LOCAL_CREDENTIALS = {
  accessKeyId: "S3RVER",
  secretAccessKey: "S3RVER",
};

/** Options shared by every client pointed at `endpoint` (or at AWS). */
export function clientOptions(region: string, endpoint: string | undefined) {
  return endpoint
    ? { region, endpoint, credentials: LOCAL_CREDENTIALS }
    : { region };
}

/**
 * S3 options that also suit R2 and s3rver: path-style addressing, and
 * checksums only where an operation requires them (otherwise streamed
 * uploads are framed as aws-chunked, which R2 and s3rver store verbatim).
 */
export function s3Options(region: string, endpoint: string | undefined) {
  return {
    ...clientOptions(region, endpoint),
    forcePathStyle: Boolean(endpoint),
    requestChecksumCalculation: "WHEN_REQUIRED" as const,
    responseChecksumValidation: "WHEN_REQUIRED" as const,
  };
}

export interface AwsClients {
  readonly cognito: CognitoIdentityProviderClient;
  readonly dynamo: DynamoDBDocumentClient;
  readonly s3: S3Client;
  readonly sqs: SQSClient;
  readonly ssm: SSMClient;
  readonly secrets: SecretsManagerClient;
}

/** Clients for `config`, each built the first time it is read. */
export function createAwsClients(config: AwsConfig): AwsClients {
  const region = config.AWS_REGION;
  const lazy = <T>(make: () => T) => {
    let client: T | undefined;
    return () => {
      client ??= make();
      return client;
    };
  };
  const cognito = lazy(
    () =>
      new CognitoIdentityProviderClient(
        clientOptions(region, config.COGNITO_ENDPOINT),
      ),
  );
  const dynamo = lazy(() =>
    DynamoDBDocumentClient.from(
      new DynamoDBClient(clientOptions(region, config.DYNAMODB_ENDPOINT)),
      { marshallOptions: { removeUndefinedValues: true } },
    ),
  );
  const s3 = lazy(() => new S3Client(s3Options(region, config.S3_ENDPOINT)));
  const sqs = lazy(
    () => new SQSClient(clientOptions(region, config.SQS_ENDPOINT)),
  );
  const ssm = lazy(
    () => new SSMClient(clientOptions(region, config.SSM_ENDPOINT)),
  );
  const secrets = lazy(
    () =>
      new SecretsManagerClient(clientOptions(region, config.SECRETS_ENDPOINT)),
  );

  return {
    get cognito() {
      return cognito();
    },
    get dynamo() {
      return dynamo();
    },
    get s3() {
      return s3();
    },
    get sqs() {
      return sqs();
    },
    get ssm() {
      return ssm();
    },
    get secrets() {
      return secrets();
    },
  };
}
