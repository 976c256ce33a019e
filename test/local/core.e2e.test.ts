/**
 * The local core end to end, as a website and a service would use it: the
 * core runs as `npm start` does, in a child process, with Gravatar faked.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CognitoIdentityProviderClient,
  ConfirmSignUpCommand,
  InitiateAuthCommand,
  SignUpCommand,
  UpdateUserAttributesCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  DeleteObjectCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientOptions, s3Options } from "../../src/aws/clients.ts";
import type { LocalEndpoints } from "../../src/local/endpoints-file.ts";
import { freeCorePort } from "../support/core-ports.ts";
import {
  type FakeGravatar,
  startFakeGravatar,
} from "../support/fake-gravatar.ts";
import {
  type CoreProcess,
  eventually,
  served,
  spawnCore,
  waitForEndpoints,
} from "../support/local-core-process.ts";

const EMAIL = "Website.User@example.test";
const PASSWORD = "Correct-horse-9";
const ASSET = Buffer.from("<svg xmlns='http://www.w3.org/2000/svg'/>");

let home: string;
let gravatar: FakeGravatar;
let env: Record<string, string>;
let core: CoreProcess | undefined;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), "core-e2e-"));
  gravatar = await startFakeGravatar();
  const hash = createHash("sha256")
    .update(EMAIL.trim().toLowerCase())
    .digest("hex");
  gravatar.answer(hash, { kind: "image", format: "png" });
  env = {
    CORE_HOME: home,
    CORE_PORT: String(await freeCorePort()),
    CDN_BUCKETS: "anime=anime-assets",
    GRAVATAR_BASE_URL: gravatar.baseUrl,
    SYNC_MIN_INTERVAL_SECONDS: "1",
  };
});

afterAll(async () => {
  await core?.stop();
  await gravatar?.stop();
  await rm(home, { recursive: true, force: true });
});

function clientsFor(endpoints: LocalEndpoints) {
  return {
    cognito: new CognitoIdentityProviderClient(
      clientOptions(endpoints.region, endpoints.cognito.endpoint),
    ),
    dynamo: DynamoDBDocumentClient.from(
      new DynamoDBClient(
        clientOptions(endpoints.region, endpoints.dynamodb.endpoint),
      ),
    ),
    s3: new S3Client(s3Options(endpoints.region, endpoints.s3.endpoint)),
  };
}

async function signIn(endpoints: LocalEndpoints) {
  const { cognito } = clientsFor(endpoints);
  const { AuthenticationResult } = await cognito.send(
    new InitiateAuthCommand({
      ClientId: endpoints.cognito.clientId,
      AuthFlow: "USER_PASSWORD_AUTH",
      AuthParameters: { USERNAME: EMAIL, PASSWORD },
    }),
  );

  return {
    idToken: AuthenticationResult?.IdToken ?? "",
    accessToken: AuthenticationResult?.AccessToken ?? "",
  };
}

function syncNow(endpoints: LocalEndpoints, idToken: string) {
  return fetch(`${endpoints.api}/v1/auth/sync`, {
    method: "POST",
    headers: { Authorization: `Bearer ${idToken}` },
  });
}

describe("local core", () => {
  it("signs a user up, syncs their profile, mirrors objects, and keeps both across a restart", async () => {
    core = spawnCore(env);
    let endpoints = await waitForEndpoints(core, home);
    const clients = clientsFor(endpoints);
    expect(endpoints.lambda?.endpoint).toBe(
      `http://127.0.0.1:${Number(env.CORE_PORT) + 6}`,
    );

    // Sign-up and confirmation as a website does; the code a real pool
    // would email appears on the core's terminal.
    const { UserSub: userId } = await clients.cognito.send(
      new SignUpCommand({
        ClientId: endpoints.cognito.clientId,
        Username: EMAIL,
        Password: PASSWORD,
        UserAttributes: [
          { Name: "email", Value: EMAIL },
          { Name: "name", Value: "First Name" },
          { Name: "custom:enable_gravatar", Value: "true" },
        ],
      }),
    );
    const code = await eventually(
      async () => /confirmation code (\S+)/.exec(core?.output() ?? "")?.[1],
      "the confirmation code on the terminal",
    );
    await clients.cognito.send(
      new ConfirmSignUpCommand({
        ClientId: endpoints.cognito.clientId,
        Username: EMAIL,
        ConfirmationCode: code,
      }),
    );
    const tokens = await signIn(endpoints);

    const item = await eventually(async () => {
      const { Item } = await clients.dynamo.send(
        new GetCommand({
          TableName: endpoints.dynamodb.usersTable,
          Key: { id: userId },
        }),
      );
      return Item;
    }, "the profile in DynamoDB");
    expect(item.name).toBe("First Name");
    expect(item.picture).toMatch(`${endpoints.cdn}/avatars/`);
    const avatar = await served(String(item.picture), 200);
    expect(avatar.headers.get("content-type")).toBe("image/png");

    // A website's dev server on its own port may call the API.
    const preflight = await fetch(`${endpoints.api}/v1/auth/sync`, {
      method: "OPTIONS",
      headers: {
        Origin: "http://localhost:5173",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization",
      },
    });
    expect(preflight.headers.get("access-control-allow-origin")).toBe(
      "http://localhost:5173",
    );

    const first = await syncNow(endpoints, tokens.idToken);
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({
      id: userId,
      name: "First Name",
    });

    await clients.cognito.send(
      new UpdateUserAttributesCommand({
        AccessToken: tokens.accessToken,
        UserAttributes: [{ Name: "name", Value: "Second Name" }],
      }),
    );
    const renamed = await eventually(async () => {
      const response = await syncNow(endpoints, tokens.idToken);
      if (response.status === 200) return response.json();
      await response.arrayBuffer();
      return undefined;
    }, "a second sync past the rate limit");
    expect(renamed).toMatchObject({ id: userId, name: "Second Name" });

    const upload = (key: string, body: Buffer) =>
      clients.s3.send(
        new PutObjectCommand({
          Bucket: "anime-assets",
          Key: key,
          Body: body,
          ContentType: "image/svg+xml",
        }),
      );
    await upload("posters/gone soon.svg", ASSET);
    await upload("posters/kept.svg", ASSET);
    const goneUrl = `${endpoints.cdn}/anime/posters/gone%20soon.svg`;
    const keptUrl = `${endpoints.cdn}/anime/posters/kept.svg`;
    const copy = await served(goneUrl, 200);
    expect(copy.headers.get("content-type")).toBe("image/svg+xml");
    expect(Buffer.from(await copy.arrayBuffer())).toEqual(ASSET);
    await (await served(keptUrl, 200)).arrayBuffer();

    await clients.s3.send(
      new DeleteObjectCommand({
        Bucket: "anime-assets",
        Key: "posters/gone soon.svg",
      }),
    );
    const missing = await served(goneUrl, 404);
    expect(await missing.json()).toMatchObject({
      error: { code: "not_found" },
    });

    expect(core.output().toLowerCase()).not.toContain(EMAIL.toLowerCase());

    const second = spawnCore(env);
    expect(await second.exited).not.toBe(0);
    expect(second.output()).toContain("already running");

    expect(await core.stop()).toBe(0);
    expect(existsSync(join(home, "endpoints.json"))).toBe(false);

    core = spawnCore(env);
    const before = endpoints;
    endpoints = await waitForEndpoints(core, home);
    // Same ports, same pool: the website's settings and its tokens still hold.
    expect(endpoints).toEqual(before);
    const again = await syncNow(endpoints, tokens.idToken);
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ name: "Second Name" });
    expect((await signIn(endpoints)).idToken).not.toBe("");
    const kept = await fetch(keptUrl.replace(/^http:\/\/[^/]+/, endpoints.api));
    expect(Buffer.from(await kept.arrayBuffer())).toEqual(ASSET);
    expect((await fetch(String(item.picture))).status).toBe(200);
    const { Item: after } = await clientsFor(endpoints).dynamo.send(
      new GetCommand({
        TableName: endpoints.dynamodb.usersTable,
        Key: { id: userId },
      }),
    );
    expect(after?.name).toBe("Second Name");
  });
});
