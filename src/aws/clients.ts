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
import { type CallLimits, clientOptions, s3Options } from "./client-options.ts";

export {
  BACKGROUND_CALL_LIMITS,
  type CallLimits,
  clientOptions,
  INTERACTIVE_CALL_LIMITS,
  LOCAL_CREDENTIALS,
  s3Options,
} from "./client-options.ts";

export const cognitoClient = (aws: AwsConfig, limits?: CallLimits) =>
  new CognitoIdentityProviderClient(
    clientOptions(aws.AWS_REGION, aws.COGNITO_ENDPOINT, limits),
  );

export const dynamoClient = (aws: AwsConfig, limits?: CallLimits) =>
  DynamoDBDocumentClient.from(
    new DynamoDBClient(
      clientOptions(aws.AWS_REGION, aws.DYNAMODB_ENDPOINT, limits),
    ),
    { marshallOptions: { removeUndefinedValues: true } },
  );

export const s3Client = (aws: AwsConfig, limits?: CallLimits) =>
  new S3Client(s3Options(aws.AWS_REGION, aws.S3_ENDPOINT, limits));

export const sqsClient = (aws: AwsConfig, limits?: CallLimits) =>
  new SQSClient(clientOptions(aws.AWS_REGION, aws.SQS_ENDPOINT, limits));

export const ssmClient = (aws: AwsConfig) =>
  new SSMClient(clientOptions(aws.AWS_REGION, aws.SSM_ENDPOINT));

export const secretsClient = (aws: AwsConfig) =>
  new SecretsManagerClient(clientOptions(aws.AWS_REGION, aws.SECRETS_ENDPOINT));

export interface AwsClients {
  readonly cognito: CognitoIdentityProviderClient;
  readonly dynamo: DynamoDBDocumentClient;
  readonly s3: S3Client;
  readonly sqs: SQSClient;
  readonly ssm: SSMClient;
  readonly secrets: SecretsManagerClient;
}

/**
 * Every client for `config`, each built the first time it is read. Lambda
 * handlers call the single-client factories instead, so their bundles hold
 * only the SDK clients they use.
 */
export function createAwsClients(config: AwsConfig): AwsClients {
  const made = new Map<string, unknown>();
  const factories = {
    cognito: cognitoClient,
    dynamo: dynamoClient,
    s3: s3Client,
    sqs: sqsClient,
    ssm: ssmClient,
    secrets: secretsClient,
  } as const;

  return Object.defineProperties(
    {},
    Object.fromEntries(
      Object.entries(factories).map(([name, make]) => [
        name,
        {
          enumerable: true,
          get: () => {
            if (!made.has(name)) made.set(name, make(config));
            return made.get(name);
          },
        },
      ]),
    ),
  ) as AwsClients;
}
