/**
 * What user-sync code may do and what it is told: the IAM statements and
 * environment of the worker, the resync and the API function. Each action
 * below is an SDK command the function's code sends (src/aws adapters), so
 * the policy grants that and nothing more.
 */
import type * as pulumi from "@pulumi/pulumi";
import {
  cdnHost,
  type DeployContext,
  powertoolsEnvironment,
} from "./context.ts";
import type { Statement } from "./iam.ts";
import type { UserSyncStorage } from "./user-sync.ts";

/** The functions that run user sync; each reaches for different calls. */
export type UserSyncFunction = "worker" | "api" | "resync";

interface Actions {
  readonly pool: readonly string[];
  readonly table: readonly string[];
}

/**
 * Syncing or removing one user (UserSync.sync): AdminGetUser, ListUsers
 * filtered on `sub`, AdminListGroupsForUser; the picture is set with
 * AdminUpdateUserAttributes or cleared with AdminDeleteUserAttributes. The
 * table is read with GetCommand, written with UpdateCommand (never
 * PutCommand) and cleared with DeleteCommand.
 */
const SYNC_ONE_USER: Actions = {
  pool: [
    "cognito-idp:AdminGetUser",
    "cognito-idp:ListUsers",
    "cognito-idp:AdminListGroupsForUser",
    "cognito-idp:AdminUpdateUserAttributes",
    "cognito-idp:AdminDeleteUserAttributes",
  ],
  table: ["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"],
};

/**
 * What each function sends beyond one user's sync. The API reads many
 * profiles at once (BatchGetCommand); its rate limit is an UpdateCommand
 * and a GetCommand, already granted. The resync lists the pool by group
 * (ListGroups, ListUsersInGroup), reads the table in batches and scans it
 * for ids to prune.
 */
const EXTRA: Readonly<Record<UserSyncFunction, Actions>> = {
  worker: { pool: [], table: [] },
  api: { pool: [], table: ["dynamodb:BatchGetItem"] },
  resync: {
    pool: ["cognito-idp:ListGroups", "cognito-idp:ListUsersInGroup"],
    table: ["dynamodb:BatchGetItem", "dynamodb:Scan"],
  },
};

/**
 * What `fn` may do to the pool, the table and the avatars bucket. Avatars
 * are written with PutObject, listed with ListObjectsV2 (s3:ListBucket) and
 * removed with DeleteObject or DeleteObjects (both s3:DeleteObject); they
 * are never read back, since the CDN serves them.
 */
export function userSyncStatements(
  fn: UserSyncFunction,
  poolArn: pulumi.Input<string>,
  storage: UserSyncStorage,
): Statement[] {
  const bucketArn = storage.avatarsBucket.arn;
  const extra = EXTRA[fn];

  return [
    {
      Sid: "ReadUsersWritePicture",
      Effect: "Allow",
      Action: [...SYNC_ONE_USER.pool, ...extra.pool],
      Resource: [poolArn],
    },
    {
      Sid: "UsersTable",
      Effect: "Allow",
      Action: [...SYNC_ONE_USER.table, ...extra.table],
      Resource: [storage.table.arn],
    },
    {
      Sid: "AvatarObjects",
      Effect: "Allow",
      Action: ["s3:PutObject", "s3:DeleteObject"],
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
