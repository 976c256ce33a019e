/**
 * Creates, or finds, the resources user sync runs on: the user pool shaped
 * like production's, its website client and `admin` group, the users table,
 * a bucket, and a queue with its DLQ. Used by the local core and the tests;
 * in AWS, infra/ declares the same resources.
 */
import {
  type CognitoIdentityProviderClient,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import {
  CreateTableCommand,
  type DynamoDBClient,
} from "@aws-sdk/client-dynamodb";
import { CreateBucketCommand, type S3Client } from "@aws-sdk/client-s3";
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { isAwsError } from "../aws/errors.ts";

export interface UserPoolIds {
  readonly userPoolId: string;
  readonly clientId: string;
}

/** Receives before a message moves to the DLQ, as in production. */
export const MAX_RECEIVE_COUNT = 5;

/** A pool that signs in by email, with `custom:enable_gravatar`. */
export async function createUserPool(
  cognito: CognitoIdentityProviderClient,
  name: string,
): Promise<UserPoolIds> {
  const { UserPool } = await cognito.send(
    new CreateUserPoolCommand({
      PoolName: name,
      UsernameAttributes: ["email"],
      AutoVerifiedAttributes: ["email"],
      Schema: [
        {
          Name: "enable_gravatar",
          AttributeDataType: "Boolean",
          Mutable: true,
        },
      ],
    }),
  );
  const userPoolId = UserPool?.Id ?? "";
  const { UserPoolClient } = await cognito.send(
    new CreateUserPoolClientCommand({
      UserPoolId: userPoolId,
      ClientName: "website",
      ExplicitAuthFlows: [
        "ALLOW_USER_PASSWORD_AUTH",
        "ALLOW_REFRESH_TOKEN_AUTH",
      ],
    }),
  );
  await cognito.send(
    new CreateGroupCommand({ UserPoolId: userPoolId, GroupName: "admin" }),
  );

  return { userPoolId, clientId: UserPoolClient?.ClientId ?? "" };
}

/** The users table: key `id`, on-demand, as in production. */
export async function createUsersTable(
  dynamo: DynamoDBClient,
  tableName: string,
): Promise<void> {
  try {
    await dynamo.send(
      new CreateTableCommand({
        TableName: tableName,
        AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
        KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
        BillingMode: "PAY_PER_REQUEST",
      }),
    );
  } catch (error) {
    if (!isAwsError(error, "ResourceInUseException")) throw error;
  }
}

export async function createBucket(
  s3: S3Client,
  bucket: string,
): Promise<void> {
  try {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  } catch (error) {
    const known = ["BucketAlreadyOwnedByYou", "BucketAlreadyExists"];
    if (!known.some((name) => isAwsError(error, name))) throw error;
  }
}

/** The name of the DLQ createQueueWithDlq gives queue `name`. */
export const dlqNameOf = (name: string) => `${name}-dlq`;

/** A queue whose messages move to `<name>-dlq` after repeated failures. */
export async function createQueueWithDlq(
  sqs: SQSClient,
  name: string,
  visibilityTimeoutSeconds = 30,
): Promise<{ queueUrl: string; dlqUrl: string }> {
  const dlq = await sqs.send(
    new CreateQueueCommand({ QueueName: dlqNameOf(name) }),
  );
  const dlqUrl = dlq.QueueUrl ?? "";
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: dlqUrl,
      AttributeNames: ["QueueArn"],
    }),
  );
  const queue = await sqs.send(
    new CreateQueueCommand({
      QueueName: name,
      Attributes: {
        VisibilityTimeout: String(visibilityTimeoutSeconds),
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: Attributes?.QueueArn,
          maxReceiveCount: MAX_RECEIVE_COUNT,
        }),
      },
    }),
  );

  return { queueUrl: queue.QueueUrl ?? "", dlqUrl };
}
