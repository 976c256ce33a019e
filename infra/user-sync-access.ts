/**
 * What user-sync code may do and what it is told: the IAM statements and
 * environment shared by the worker, the resync and the API function.
 */
import type * as pulumi from "@pulumi/pulumi";
import {
  cdnHost,
  type DeployContext,
  powertoolsEnvironment,
} from "./context.ts";
import type { Statement } from "./iam.ts";
import type { UserSyncStorage } from "./user-sync.ts";

/** What user-sync code may do to the pool, the table and the bucket. */
export function userSyncStatements(
  poolArn: pulumi.Input<string>,
  storage: UserSyncStorage,
): Statement[] {
  const bucketArn = storage.avatarsBucket.arn;

  return [
    {
      Sid: "ReadUsersWritePicture",
      Effect: "Allow",
      Action: [
        "cognito-idp:AdminGetUser",
        "cognito-idp:ListUsers",
        "cognito-idp:AdminListGroupsForUser",
        "cognito-idp:ListGroups",
        "cognito-idp:ListUsersInGroup",
        "cognito-idp:AdminUpdateUserAttributes",
      ],
      Resource: [poolArn],
    },
    {
      Sid: "UsersTable",
      Effect: "Allow",
      Action: [
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
        "dynamodb:BatchGetItem",
        "dynamodb:Scan",
        "dynamodb:Query",
      ],
      Resource: [storage.table.arn],
    },
    {
      Sid: "AvatarObjects",
      Effect: "Allow",
      Action: ["s3:PutObject", "s3:GetObject", "s3:DeleteObject"],
      Resource: [bucketArn.apply((arn) => `${arn}/*`)],
    },
    {
      Sid: "AvatarListing",
      Effect: "Allow",
      Action: ["s3:ListBucket"],
      Resource: [bucketArn],
    },
  ];
}

/** The environment of every function that syncs users. */
export function userSyncEnvironment(
  context: DeployContext,
  poolId: pulumi.Input<string>,
  storage: UserSyncStorage,
): Record<string, pulumi.Input<string>> {
  return {
    ...powertoolsEnvironment(),
    USER_POOL_ID: poolId,
    USERS_TABLE: storage.table.name,
    SYNC_QUEUE_URL: storage.syncQueue.queue.url,
    AVATARS_BUCKET: storage.avatarsBucket.bucket,
    CDN_BASE_URL: `https://${cdnHost(context)}`,
  };
}
