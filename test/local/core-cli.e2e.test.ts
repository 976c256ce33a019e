/**
 * The `core dev` commands as a developer types them, against one local
 * core running as `npm start` runs it: a second start, and the helpers.
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalEndpoints } from "../../src/local/endpoints-file.ts";
import { freeCorePort } from "../support/core-ports.ts";
import {
  type FakeGravatar,
  startFakeGravatar,
} from "../support/fake-gravatar.ts";
import {
  type CoreProcess,
  runCore,
  spawnCore,
  waitForEndpoints,
} from "../support/local-core-process.ts";

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
  env = {
    CORE_HOME: home,
    CORE_PORT: String(await freeCorePort()),
    CDN_BUCKETS: "anime=anime-assets",
    GRAVATAR_BASE_URL: gravatar.baseUrl,
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
