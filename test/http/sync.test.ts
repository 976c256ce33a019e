import { createHash } from "node:crypto";
import { createServer, type Server, type Socket } from "node:net";
import {
  AdminDeleteUserCommand,
  AdminUpdateUserAttributesCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createAwsClients,
  INTERACTIVE_CALL_LIMITS,
} from "../../src/aws/clients.ts";
import { CognitoDirectory } from "../../src/aws/cognito-directory.ts";
import { S3AvatarStore } from "../../src/aws/s3-avatar-store.ts";
import { SqsSyncQueue } from "../../src/aws/sqs-sync-queue.ts";
import { GravatarClient } from "../../src/gravatar/gravatar-client.ts";
import { userSyncClients } from "../../src/handlers/user-sync-wiring.ts";
import { createApp } from "../../src/http/app.ts";
import { AvatarCache } from "../../src/users/avatar-cache.ts";
import { parseSyncRequest } from "../../src/users/sync-request.ts";
import { UserSync } from "../../src/users/sync-user.ts";
import { startFakeGravatar } from "../support/fake-gravatar.ts";
import { type HttpEnv, startHttpEnv } from "./support/http-env.ts";

let http: HttpEnv;
let dead: Server;
let deadEndpoint: string;
let silent: Server;
let silentEndpoint: string;
const hung = new Set<Socket>();

beforeAll(async () => {
  http = await startHttpEnv();
  // Drops every connection: a directory or queue that is down. Held open so
  // no engine another test starts can take the port.
  dead = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => dead.listen(0, "127.0.0.1", resolve));
  const address = dead.address();
  deadEndpoint = `http://127.0.0.1:${typeof address === "object" ? address?.port : 0}`;
  // Accepts every connection and never answers: a directory that hangs.
  silent = createServer((socket) => hung.add(socket));
  await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
  const silentAddress = silent.address();
  silentEndpoint = `http://127.0.0.1:${typeof silentAddress === "object" ? silentAddress?.port : 0}`;
});

afterAll(async () => {
  dead?.close();
  for (const socket of hung) socket.destroy();
  silent?.close();
  await http?.stop();
});

function post(app: ReturnType<typeof createApp>, token: string) {
  return app.request("/v1/auth/sync", {
    method: "POST",
    headers: { Authorization: `Bearer ${token}` },
  });
}

/** A clock the test moves by hand. */
function manualClock(start = new Date()) {
  let now = start.getTime();

  return {
    now: () => new Date(now),
    advance: (seconds: number) => {
      now += seconds * 1000;
    },
  };
}

/** The sync requests waiting on the sync queue (hidden once read). */
async function queuedRequests() {
  const { Messages = [] } = await http.env.clients.sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: http.env.config.SYNC_QUEUE_URL,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 1,
    }),
  );

  return Messages.map((m) => parseSyncRequest(m.Body ?? ""));
}

function unreachable() {
  return createAwsClients({
    AWS_REGION: "us-east-1",
    COGNITO_ENDPOINT: deadEndpoint,
    SQS_ENDPOINT: deadEndpoint,
  });
}

describe("the sync rate limit", () => {
  it("answers 429 with Retry-After to a second sync within 10 seconds", async () => {
    const user = await http.signUp("eager@example.test");
    const clock = manualClock();
    const app = createApp(http.appDeps({ clock: clock.now }));

    expect((await post(app, user.idToken)).status).toBe(200);
    clock.advance(3);
    const second = await post(app, user.idToken);

    expect(second.status).toBe(429);
    expect(second.headers.get("Retry-After")).toBe("7");
    expect(await second.json()).toEqual({
      error: {
        code: "rate_limited",
        message: "Too many sync requests; retry in 7 s",
      },
    });
  });

  it("holds across app instances, since the limit lives in the table", async () => {
    const user = await http.signUp("two-lambdas@example.test");
    const clock = manualClock();
    const first = createApp(http.appDeps({ clock: clock.now }));
    const second = createApp(http.appDeps({ clock: clock.now }));

    expect((await post(first, user.idToken)).status).toBe(200);
    clock.advance(1);

    expect((await post(second, user.idToken)).status).toBe(429);
  });

  it("syncs again once the 10 seconds have passed", async () => {
    const user = await http.signUp("patient@example.test");
    const clock = manualClock();
    const app = createApp(http.appDeps({ clock: clock.now }));

    expect((await post(app, user.idToken)).status).toBe(200);
    clock.advance(10);

    expect((await post(app, user.idToken)).status).toBe(200);
  });
});

describe("when Cognito is unreachable", () => {
  it("queues the sync and answers 202", async () => {
    const user = await http.signUp("offline@example.test");
    const syncer = new UserSync({
      directory: new CognitoDirectory(
        unreachable().cognito,
        http.env.userPoolId,
      ),
      store: http.wiring.store,
      avatars: http.wiring.avatars,
    });
    const app = createApp(http.appDeps({ syncer }));

    const response = await post(app, user.idToken);

    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ status: "queued" });
    expect(await queuedRequests()).toEqual([
      { userId: user.userId, reason: "api" },
    ]);
  });

  it("queues the sync and answers 202 within seconds when Cognito never answers", async () => {
    const user = await http.signUp("hanging@example.test");
    // The clients the API Lambda builds, pointed at a Cognito that hangs.
    const clients = userSyncClients(
      { AWS_REGION: "us-east-1", COGNITO_ENDPOINT: silentEndpoint },
      INTERACTIVE_CALL_LIMITS,
    );
    const syncer = new UserSync({
      directory: new CognitoDirectory(clients.cognito, http.env.userPoolId),
      store: http.wiring.store,
      avatars: http.wiring.avatars,
    });
    const app = createApp(http.appDeps({ syncer }));
    const started = performance.now();

    const response = await post(app, user.idToken);

    expect(response.status).toBe(202);
    expect(performance.now() - started).toBeLessThan(15_000);
    expect(await queuedRequests()).toEqual([
      { userId: user.userId, reason: "api" },
    ]);
  }, 30_000);

  it("answers 503 when the sync cannot be queued either", async () => {
    const user = await http.signUp("all-down@example.test");
    const dead = unreachable();
    const syncer = new UserSync({
      directory: new CognitoDirectory(dead.cognito, http.env.userPoolId),
      store: http.wiring.store,
      avatars: http.wiring.avatars,
    });
    const queue = new SqsSyncQueue(dead.sqs, http.env.config.SYNC_QUEUE_URL);
    const app = createApp(http.appDeps({ syncer, queue }));

    const response = await post(app, user.idToken);

    expect(response.status).toBe(503);
    expect(
      ((await response.json()) as { error: { code: string } }).error,
    ).toMatchObject({ code: "sync_unavailable" });
    const requestId = response.headers.get("X-Request-Id");
    expect(
      http.logs.some(
        (line) => line.includes(requestId ?? "?") && line.includes(user.userId),
      ),
    ).toBe(true);
  });
});

describe("a caller deleted from Cognito", () => {
  it("gets 404 and their profile is removed", async () => {
    const user = await http.signUp("leaving@example.test");
    const app = createApp(http.appDeps());
    expect((await post(app, user.idToken)).status).toBe(200);
    await http.env.clients.cognito.send(
      new AdminDeleteUserCommand({
        UserPoolId: http.env.userPoolId,
        Username: user.userId,
      }),
    );
    const later = manualClock(new Date(Date.now() + 11_000));
    const afterDelete = createApp(http.appDeps({ clock: later.now }));

    const response = await post(afterDelete, user.idToken);

    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      error: {
        code: "user_not_found",
        message: "The user no longer exists in the directory",
      },
    });
    expect(await http.wiring.store.get(user.userId)).toBeUndefined();
    const again = await post(afterDelete, user.idToken);
    expect(again.status).toBe(429);
  });
});

describe("a caller deleted from Cognito, when the table then fails", () => {
  it("still gets 404, and the failed stamp is logged", async () => {
    const user = await http.signUp("leaving-too@example.test");
    await http.env.clients.cognito.send(
      new AdminDeleteUserCommand({
        UserPoolId: http.env.userPoolId,
        Username: user.userId,
      }),
    );
    // The first claim (before the sync) works; the stamp after it fails.
    const real = http.wiring.store;
    let claims = 0;
    const store = Object.assign(Object.create(real), {
      claimSyncSlot: (...args: Parameters<typeof real.claimSyncSlot>) =>
        ++claims === 1
          ? real.claimSyncSlot(...args)
          : Promise.reject(new Error("table throttled")),
    });
    const app = createApp(http.appDeps({ store }));

    const response = await post(app, user.idToken);

    expect(response.status).toBe(404);
    expect(claims).toBe(2);
    expect(
      http.logs.some(
        (line) =>
          line.includes("could not stamp the rate limit of a removed user") &&
          line.includes(user.userId),
      ),
    ).toBe(true);
  });
});

describe("a caller whose Gravatar is unavailable", () => {
  it("gets their profile, and the log line and metrics say why, without the email", async () => {
    const gravatar = await startFakeGravatar();
    const email = "gravatar-down@example.test";
    const hash = createHash("sha256").update(email).digest("hex");
    gravatar.answer(hash, { kind: "slow", delayMs: 2_000, phase: "headers" });
    const user = await http.signUp(email);
    await http.env.clients.cognito.send(
      new AdminUpdateUserAttributesCommand({
        UserPoolId: http.env.userPoolId,
        Username: user.userId,
        UserAttributes: [{ Name: "custom:enable_gravatar", Value: "true" }],
      }),
    );
    const syncer = new UserSync({
      directory: http.wiring.directory,
      store: http.wiring.store,
      avatars: new AvatarCache({
        store: new S3AvatarStore({
          client: http.env.clients.s3,
          bucket: http.env.config.AVATARS_BUCKET,
        }),
        gravatar: new GravatarClient({
          baseUrl: gravatar.baseUrl,
          size: 200,
          timeoutMs: 200,
        }),
        cdnBaseUrl: http.env.config.CDN_BASE_URL,
      }),
    });
    const counted: string[] = [];
    const app = createApp(
      http.appDeps({ syncer, count: (metric) => counted.push(metric) }),
    );

    const response = await post(app, user.idToken);
    await gravatar.stop();

    expect(response.status).toBe(200);
    const lines = http.logs.filter((line) => line.includes(user.userId));
    expect(lines.map((line) => JSON.parse(line))).toContainEqual(
      expect.objectContaining({
        message: "sync synced",
        gravatarUnavailable: "Gravatar did not answer within 200 ms",
      }),
    );
    expect(counted).toEqual(["SyncSynced", "GravatarUnavailable"]);
    expect(http.logs.join("\n")).not.toContain(email);
    expect(http.logs.join("\n")).not.toContain(hash);
  });
});
