import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import {
  AdminDeleteUserCommand,
  AdminUpdateUserAttributesCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type UserSyncWiring,
  wireUserSync,
} from "../../src/handlers/user-sync-wiring.ts";
import type { LocalEndpoints } from "../../src/local/endpoints-file.ts";
import { resyncAll } from "../../src/users/resync.ts";
import {
  type FakeGravatar,
  startFakeGravatar,
} from "../support/fake-gravatar.ts";
import {
  addToGroup,
  startUserSyncEnv,
  type UserSyncEnv,
} from "../support/user-sync-env.ts";

let env: UserSyncEnv;
let gravatar: FakeGravatar;
let wiring: UserSyncWiring;
const ids: Record<string, string> = {};

beforeAll(async () => {
  gravatar = await startFakeGravatar();
  env = await startUserSyncEnv({ gravatarBaseUrl: gravatar.baseUrl });
  wiring = wireUserSync(env.config, env.aws, env.clients);
  for (const name of ["alice", "bob", "carol", "dave"]) {
    ids[name] = await env.createUser(`${name}@example.test`, { name });
  }
  await addToGroup(env, ids.bob ?? "", "admin");
});

afterAll(async () => {
  await env?.stop();
  await gravatar?.stop();
});

async function deleteFromCognito(userId: string) {
  await env.clients.cognito.send(
    new AdminDeleteUserCommand({
      UserPoolId: env.userPoolId,
      Username: userId,
    }),
  );
}

/** Opts `name` in to the avatar cache; Gravatar has a PNG for them. */
async function optIn(name: string) {
  const email = `${name}@example.test`;
  gravatar.answer(createHash("sha256").update(email).digest("hex"), {
    kind: "image",
    format: "png",
  });
  await env.clients.cognito.send(
    new AdminUpdateUserAttributesCommand({
      UserPoolId: env.userPoolId,
      Username: ids[name],
      UserAttributes: [{ Name: "custom:enable_gravatar", Value: "true" }],
    }),
  );
}

async function avatarKeys(userId: string): Promise<string[]> {
  const { Contents = [] } = await env.clients.s3.send(
    new ListObjectsV2Command({
      Bucket: env.config.AVATARS_BUCKET,
      Prefix: `${userId}/`,
    }),
  );

  return Contents.map((object) => object.Key ?? "");
}

describe("full resync", () => {
  it("copies every user with their groups, then finds nothing changed", async () => {
    const progress: number[] = [];

    const first = await resyncAll(wiring, {
      prune: false,
      concurrency: 3,
      onProgress: (s) => progress.push(s.synced + s.unchanged),
    });
    const second = await resyncAll(wiring, { prune: false, concurrency: 3 });

    expect(first).toMatchObject({
      synced: 4,
      unchanged: 0,
      pruned: 0,
      failed: 0,
    });
    expect(second).toMatchObject({ synced: 0, unchanged: 4, failed: 0 });
    expect(progress.at(-1)).toBe(4);
    expect((await wiring.store.get(ids.bob ?? ""))?.groups).toEqual(["admin"]);
    expect((await wiring.store.get(ids.alice ?? ""))?.name).toBe("alice");
  });

  it("keeps profiles of deleted users without --prune and removes them, with their avatars, with it", async () => {
    const carol = ids.carol ?? "";
    await optIn("carol");
    await resyncAll(wiring, { prune: false, concurrency: 2 });
    await deleteFromCognito(carol);

    const kept = await resyncAll(wiring, { prune: false, concurrency: 2 });
    const stillThere = await wiring.store.get(carol);
    const avatarsKept = await avatarKeys(carol);
    const pruned = await resyncAll(wiring, { prune: true, concurrency: 2 });

    expect(kept.pruned).toBe(0);
    expect(stillThere?.name).toBe("carol");
    expect(avatarsKept).toHaveLength(1);
    expect(pruned).toMatchObject({ pruned: 1, failed: 0 });
    expect(await wiring.store.get(carol)).toBeUndefined();
    expect(await avatarKeys(carol)).toEqual([]);
    expect(await wiring.store.get(ids.alice ?? "")).toBeDefined();
  });

  it("runs from the CLI against the local core and prints a summary", async () => {
    const home = await mkdtemp(join(tmpdir(), "core-home-"));
    const endpoints: LocalEndpoints = {
      api: "http://127.0.0.1:1",
      cdn: env.config.CDN_BASE_URL,
      region: "us-east-1",
      cognito: {
        endpoint: env.aws.COGNITO_ENDPOINT ?? "",
        userPoolId: env.userPoolId,
        clientId: env.clientId,
        issuer: env.issuer,
      },
      dynamodb: {
        endpoint: env.aws.DYNAMODB_ENDPOINT ?? "",
        usersTable: env.config.USERS_TABLE,
      },
      s3: {
        endpoint: env.aws.S3_ENDPOINT ?? "",
        buckets: { avatars: env.config.AVATARS_BUCKET },
        r2Bucket: "r2",
      },
      sqs: {
        endpoint: env.aws.SQS_ENDPOINT ?? "",
        syncQueueUrl: env.config.SYNC_QUEUE_URL,
        cdnQueueUrl: env.config.SYNC_QUEUE_URL,
      },
    };
    await writeFile(join(home, "endpoints.json"), JSON.stringify(endpoints));
    await optIn("dave");
    await resyncAll(wiring, { prune: false, concurrency: 2 });
    const cached = await avatarKeys(ids.dave ?? "");
    await deleteFromCognito(ids.dave ?? "");

    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        "bin/core.js",
        "users",
        "resync",
        "--local",
        "--prune",
        "--concurrency",
        "2",
      ],
      {
        env: {
          ...process.env,
          CORE_HOME: home,
          GRAVATAR_BASE_URL: gravatar.baseUrl,
        },
      },
    );
    await rm(home, { recursive: true, force: true });

    expect(stdout).toMatch(/pruned\s+1/);
    expect(stdout).toMatch(/failed\s+0/);
    expect(await wiring.store.get(ids.dave ?? "")).toBeUndefined();
    expect(cached).toHaveLength(1);
    expect(await avatarKeys(ids.dave ?? "")).toEqual([]);
  });
});
