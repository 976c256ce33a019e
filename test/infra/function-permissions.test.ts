/**
 * Each function's policy, action by action: exactly the calls its code
 * makes, so a missing permission (or a leftover one) fails here rather than
 * in production.
 */
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, test } from "vitest";
import { listOf, named, policyOf, type Recorded } from "./pulumi-harness.ts";
import { runCore } from "./run-core.ts";

let recorded: Recorded[];

beforeAll(async () => {
  ({ recorded } = await runCore({
    registry: [{ name: "/cdn-bucket/anime/covers", value: "anime-covers" }],
  }));
});

/** Every function gets these from the Lambda component. */
const LOGS_AND_TRACES = {
  WriteOwnLogs: ["logs:CreateLogStream", "logs:PutLogEvents"],
  WriteTraces: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
};
const CONSUME = [
  "sqs:ReceiveMessage",
  "sqs:DeleteMessage",
  "sqs:ChangeMessageVisibility",
  "sqs:GetQueueAttributes",
];
const SYNC_ONE_USER_POOL = [
  "cognito-idp:AdminGetUser",
  "cognito-idp:ListUsers",
  "cognito-idp:AdminListGroupsForUser",
  "cognito-idp:AdminUpdateUserAttributes",
  "cognito-idp:AdminDeleteUserAttributes",
];
const SYNC_ONE_USER_TABLE = [
  "dynamodb:GetItem",
  "dynamodb:UpdateItem",
  "dynamodb:DeleteItem",
];
const AVATARS = {
  AvatarObjects: ["s3:PutObject", "s3:DeleteObject"],
  AvatarListing: ["s3:ListBucket"],
};

/** The actions of a function's policy, by statement. */
function actionsOf(fn: string): Record<string, readonly string[]> {
  const { Statement } = policyOf(named(recorded, `${fn}-policy`).inputs.policy);

  return Object.fromEntries(
    Statement.map((statement) => [statement.Sid, listOf(statement.Action)]),
  );
}

describe("user sync", () => {
  test("the worker may sync one user and consume its queue, nothing more", () => {
    expect(actionsOf("sync-worker")).toEqual({
      ReadUsersWritePicture: SYNC_ONE_USER_POOL,
      UsersTable: SYNC_ONE_USER_TABLE,
      ...AVATARS,
      ConsumeSyncQueue: CONSUME,
      ...LOGS_AND_TRACES,
    });
  });

  test("the API may also read profiles in batches and enqueue a sync", () => {
    expect(actionsOf("api")).toEqual({
      ReadUsersWritePicture: SYNC_ONE_USER_POOL,
      UsersTable: [...SYNC_ONE_USER_TABLE, "dynamodb:BatchGetItem"],
      ...AVATARS,
      EnqueueSync: ["sqs:SendMessage"],
      ...LOGS_AND_TRACES,
    });
  });

  test("the resync may also list the pool by group, batch-read and scan", () => {
    expect(actionsOf("resync")).toEqual({
      ReadUsersWritePicture: [
        ...SYNC_ONE_USER_POOL,
        "cognito-idp:ListGroups",
        "cognito-idp:ListUsersInGroup",
      ],
      UsersTable: [
        ...SYNC_ONE_USER_TABLE,
        "dynamodb:BatchGetItem",
        "dynamodb:Scan",
      ],
      ...AVATARS,
      ...LOGS_AND_TRACES,
    });
  });

  test("the sign-in trigger may only enqueue", () => {
    expect(actionsOf("post-authentication")).toEqual({
      EnqueueSync: ["sqs:SendMessage"],
      ...LOGS_AND_TRACES,
    });
  });
});

describe("CDN", () => {
  test("the sync reads registered objects, the registry and the R2 secret", () => {
    expect(actionsOf("cdn-sync")).toEqual({
      ReadRegisteredObjects: ["s3:GetObject"],
      ListRegisteredBuckets: ["s3:ListBucket"],
      ReadRegistry: ["ssm:GetParametersByPath"],
      ReadR2Secret: ["secretsmanager:GetSecretValue"],
      ConsumeCdnQueue: CONSUME,
      ...LOGS_AND_TRACES,
    });
  });

  test("the backfill only lists registered buckets and queues work", () => {
    expect(actionsOf("cdn-backfill-page")).toEqual({
      ListRegisteredBuckets: ["s3:ListBucket"],
      ReadRegistry: ["ssm:GetParametersByPath"],
      EnqueueMirrorAndNextPage: ["sqs:SendMessage"],
      ConsumeBackfillQueue: CONSUME,
      ...LOGS_AND_TRACES,
    });
  });
});

/**
 * The IAM action each SDK command of the user-sync adapters needs. A
 * command missing here fails the test below: add it, and grant it.
 */
const COMMAND_ACTIONS: Readonly<Record<string, string>> = {
  AdminDeleteUserAttributesCommand: "cognito-idp:AdminDeleteUserAttributes",
  AdminGetUserCommand: "cognito-idp:AdminGetUser",
  AdminListGroupsForUserCommand: "cognito-idp:AdminListGroupsForUser",
  AdminUpdateUserAttributesCommand: "cognito-idp:AdminUpdateUserAttributes",
  ListGroupsCommand: "cognito-idp:ListGroups",
  ListUsersCommand: "cognito-idp:ListUsers",
  ListUsersInGroupCommand: "cognito-idp:ListUsersInGroup",
  // DynamoDBDocumentClient commands send the item APIs they are named after.
  GetCommand: "dynamodb:GetItem",
  PutCommand: "dynamodb:PutItem",
  UpdateCommand: "dynamodb:UpdateItem",
  DeleteCommand: "dynamodb:DeleteItem",
  BatchGetCommand: "dynamodb:BatchGetItem",
  BatchWriteCommand: "dynamodb:BatchWriteItem",
  QueryCommand: "dynamodb:Query",
  ScanCommand: "dynamodb:Scan",
  PutObjectCommand: "s3:PutObject",
  GetObjectCommand: "s3:GetObject",
  DeleteObjectCommand: "s3:DeleteObject",
  // DeleteObjects is authorised per key as s3:DeleteObject.
  DeleteObjectsCommand: "s3:DeleteObject",
  ListObjectsV2: "s3:ListBucket",
  SendMessageCommand: "sqs:SendMessage",
};

/** The adapters the user-sync handlers wire, read from the wiring itself. */
function userSyncAdapters(): string[] {
  const wiring = ["user-sync-wiring", "post-authentication"].map((handler) =>
    readFileSync(`src/handlers/${handler}.ts`, "utf8"),
  );
  const adapters = wiring.flatMap((source) =>
    [...source.matchAll(/from "\.\.\/aws\/([\w-]+)\.ts"/g)].map(
      (match) => match[1] as string,
    ),
  );

  return [...new Set(adapters)]
    .filter((adapter) => !["clients", "client-options"].includes(adapter))
    .sort();
}

/** The commands a source file sends: `new XCommand(` and `paginateX(`. */
function commandsIn(file: string): string[] {
  const source = readFileSync(file, "utf8");
  const sent = [...source.matchAll(/new (\w+Command)\(/g)];
  const paginated = [...source.matchAll(/paginate(\w+)\(/g)];

  return [...sent, ...paginated].map((match) => match[1] as string);
}

describe("the user-sync adapters and the policies", () => {
  const functions = [
    "sync-worker",
    "api",
    "resync",
    "post-authentication",
  ] as const;
  const granted = () =>
    new Set(functions.flatMap((fn) => Object.values(actionsOf(fn)).flat()));

  test("the wiring uses the adapters this test reads", () => {
    expect(userSyncAdapters()).toEqual([
      "cognito-directory",
      "dynamo-user-store",
      "s3-avatar-store",
      "sqs-sync-queue",
    ]);
  });

  test("every command an adapter sends is granted to some user-sync function", () => {
    const commands = userSyncAdapters().flatMap((adapter) =>
      commandsIn(`src/aws/${adapter}.ts`),
    );

    expect(commands).toContain("AdminDeleteUserAttributesCommand");
    for (const command of commands) {
      expect(Object.keys(COMMAND_ACTIONS), command).toContain(command);
      expect([...granted()], command).toContain(COMMAND_ACTIONS[command]);
    }
  });

  test("every action granted for user data is one an adapter sends", () => {
    const sent = new Set(
      userSyncAdapters()
        .flatMap((adapter) => commandsIn(`src/aws/${adapter}.ts`))
        .map((command) => COMMAND_ACTIONS[command]),
    );
    const platform = new Set([
      ...Object.values(LOGS_AND_TRACES).flat(),
      ...CONSUME,
    ]);

    for (const action of granted()) {
      if (platform.has(action)) continue;
      expect([...sent], action).toContain(action);
    }
  });
});
