/**
 * The `core dev` commands as a developer types them, against one local
 * core running as `npm start` runs it: a second start, and the helpers.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
} from "@aws-sdk/client-cognito-identity-provider";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientOptions } from "../../src/aws/clients.ts";
import type { LocalEndpoints } from "../../src/local/endpoints-file.ts";
import { freeCorePort } from "../support/core-ports.ts";
import {
  type FakeGravatar,
  startFakeGravatar,
} from "../support/fake-gravatar.ts";
import {
  type CoreProcess,
  eventually,
  runCore,
  served,
  spawnCore,
  waitForEndpoints,
} from "../support/local-core-process.ts";

const EMAIL = "Dev.Helper@example.test";
const SVG = Buffer.from(
  "<svg xmlns='http://www.w3.org/2000/svg'><circle/></svg>",
);

let home: string;
let otherHome: string;
let gravatar: FakeGravatar;
let env: Record<string, string>;
let core: CoreProcess | undefined;
let endpoints: LocalEndpoints;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), "core-cli-"));
  otherHome = await mkdtemp(join(tmpdir(), "core-cli-other-"));
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
  core = spawnCore(env);
  endpoints = await waitForEndpoints(core, home);
});

afterAll(async () => {
  await core?.stop();
  await gravatar?.stop();
  await rm(home, { recursive: true, force: true });
  await rm(otherHome, { recursive: true, force: true });
});

interface Profile {
  readonly id: string;
  readonly name?: string;
  readonly picture?: string;
}

/** `core dev <args>` against the running core, as a developer types it. */
const dev = (...args: string[]) => runCore(["dev", ...args], env);

describe("a second core on the same port", () => {
  it("says a core from another home runs there, and exits 1", async () => {
    const second = await runCore(["dev"], { ...env, CORE_HOME: otherHome });

    expect(second.code).toBe(1);
    expect(second.stderr).toContain(
      `a local core is already running at ${endpoints.api} (home: ${home})`,
    );
    expect(second.stderr).not.toContain("already in use");
    expect(existsSync(join(otherHome, "core.pid"))).toBe(false);
    expect(existsSync(join(otherHome, "cognito"))).toBe(false);
    expect((await fetch(`${endpoints.api}/local-core`)).status).toBe(200);
  });
});

describe("core dev helpers", () => {
  let userId: string;

  it("user add creates a confirmed user with their name and Gravatar choice", async () => {
    const run = await dev(
      "user",
      "add",
      EMAIL,
      "--name",
      "Dev Helper",
      "--gravatar",
    );

    expect(run).toMatchObject({ code: 0, stderr: "" });
    userId = /^Created user (\S+);/.exec(run.stdout)?.[1] ?? "";
    expect(userId).toMatch(/^[0-9a-f-]{36}$/);
    expect(run.stdout.toLowerCase()).not.toContain(EMAIL.toLowerCase());
    const cognito = new CognitoIdentityProviderClient(
      clientOptions(endpoints.region, endpoints.cognito.endpoint),
    );
    const user = await cognito.send(
      new AdminGetUserCommand({
        UserPoolId: endpoints.cognito.userPoolId,
        Username: userId,
      }),
    );
    const attributes = Object.fromEntries(
      (user.UserAttributes ?? []).map(({ Name, Value }) => [Name, Value]),
    );
    expect(user.UserStatus).toBe("CONFIRMED");
    expect(attributes).toMatchObject({
      email: EMAIL,
      email_verified: "true",
      name: "Dev Helper",
      "custom:enable_gravatar": "true",
    });
  });

  it("token prints an ID token of that user, which the API accepts", async () => {
    const run = await dev("token", EMAIL);

    expect(run.code).toBe(0);
    const token = run.stdout.trim();
    expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(decodeJwt(token)).toMatchObject({ sub: userId, token_use: "id" });
    const profile = await eventually(async () => {
      const response = await fetch(`${endpoints.api}/v1/auth/sync`, {
        method: "POST",
        headers: { Authorization: `Bearer ${token}` },
      });
      if (response.status === 200) return (await response.json()) as Profile;
      await response.arrayBuffer();
      return undefined;
    }, "the sync endpoint to accept the token");
    expect(profile).toMatchObject({ id: userId, name: "Dev Helper" });
    expect(profile.picture).toMatch(`${endpoints.cdn}/avatars/`);
  });

  it("upload serves the file under /cdn/<dir>/<name> with its Content-Type", async () => {
    const folder = join(home, "uploads");
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, "key visual.svg"), SVG);

    const run = await dev("upload", "anime", join(folder, "key visual.svg"));

    expect(run.code).toBe(0);
    const url = run.stdout.trim();
    expect(url).toBe(`${endpoints.cdn}/anime/key%20visual.svg`);
    const object = await served(url, 200);
    expect(object.headers.get("content-type")).toBe("image/svg+xml");
    expect(Buffer.from(await object.arrayBuffer())).toEqual(SVG);
  });

  it("says what is wrong, and exits 1, when a helper cannot do its work", async () => {
    const staleHome = join(otherHome, "stale");
    await mkdir(staleHome, { recursive: true });
    const gone = `http://127.0.0.1:${await freeCorePort()}`;
    const stale = JSON.stringify({
      ...endpoints,
      cognito: { ...endpoints.cognito, endpoint: gone },
    });
    await writeFile(join(staleHome, "endpoints.json"), stale);
    const missing = join(home, "uploads", "missing.png");

    const [unknownDir, missingFile, noCore, stopped, wrongPassword] =
      await Promise.all([
        dev("upload", "manga", join(home, "uploads", "key visual.svg")),
        dev("upload", "anime", missing),
        runCore(["dev", "token", EMAIL], { ...env, CORE_HOME: otherHome }),
        runCore(["dev", "token", EMAIL], { ...env, CORE_HOME: staleHome }),
        dev("token", EMAIL, "--password", "Not-the-password-1"),
      ]);

    const said = (run: { code: number | null; stderr: string }) => {
      expect(run.code).toBe(1);
      expect(run.stderr.toLowerCase()).not.toContain(EMAIL.toLowerCase());
      return run.stderr.trim();
    };
    expect(said(unknownDir)).toBe(
      'core: no bucket is registered for "manga"; registered: avatars, anime (add more with CDN_BUCKETS=dir=bucket)',
    );
    expect(said(missingFile)).toBe(
      `core: cannot upload ${missing}: there is no file; give the path of a file`,
    );
    expect(said(noCore)).toBe(
      `core: no local core found: ${join(otherHome, "endpoints.json")} does not exist (start one with \`npm start\`)`,
    );
    expect(said(stopped)).toContain(
      `core: the local core of ${staleHome} does not answer at ${gone.slice(7)}`,
    );
    expect(said(wrongPassword)).toContain(
      "core: the sign-in was refused (Invalid password); check --password",
    );
  });
});
