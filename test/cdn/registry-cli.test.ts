import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientOptions } from "../../src/aws/clients.ts";
import { formatRegistry } from "../../src/cli/cdn.ts";
import { startSsmSecrets } from "../../src/local/engines/ssm-secrets.ts";
import type { Engine } from "../../src/local/engines/types.ts";
import { CDN_PREFIX } from "../support/cdn-engines.ts";

let engine: Engine;
let home: string;

beforeAll(async () => {
  engine = await startSsmSecrets();
  home = await mkdtemp(join(tmpdir(), "cdn-cli-"));
  const ssm = new SSMClient(clientOptions("us-east-1", engine.endpoint));
  for (const [dir, bucket] of [
    ["manga", "manga-assets"],
    ["anime/covers", "anime-covers"],
  ]) {
    await ssm.send(
      new PutParameterCommand({
        Name: `${CDN_PREFIX}${dir}`,
        Value: bucket,
        Type: "String",
      }),
    );
  }
});

afterAll(async () => {
  await engine?.stop();
  await rm(home, { recursive: true, force: true });
});

async function core(args: string[], env: Record<string, string> = {}) {
  return promisify(execFile)(process.execPath, ["bin/core.js", ...args], {
    env: { ...process.env, ...env },
  });
}

/** The smallest endpoints.json the local core writes, plus `extra`. */
async function writeEndpoints(extra: object): Promise<void> {
  const endpoints = {
    api: "http://127.0.0.1:1",
    cdn: "http://127.0.0.1:2",
    cognito: {
      endpoint: "http://127.0.0.1:3",
      userPoolId: "pool",
      clientId: "client",
      issuer: "http://127.0.0.1:3/pool",
    },
    dynamodb: { endpoint: "http://127.0.0.1:4", usersTable: "users" },
    s3: {
      endpoint: "http://127.0.0.1:5",
      buckets: { avatars: "core-avatars", "site/static": "site-static" },
      r2Bucket: "r2",
    },
    sqs: {
      endpoint: "http://127.0.0.1:6",
      syncQueueUrl: "http://127.0.0.1:6/q/sync",
      cdnQueueUrl: "http://127.0.0.1:6/q/cdn",
    },
    ...extra,
  };
  await writeFile(join(home, "endpoints.json"), JSON.stringify(endpoints));
}

describe("core cdn registry", () => {
  it("prints directory → bucket from SSM at --ssm-endpoint", async () => {
    const { stdout } = await core([
      "cdn",
      "registry",
      "--ssm-endpoint",
      engine.endpoint,
    ]);

    expect(stdout.trim().split("\n")).toEqual([
      "DIR            BUCKET",
      "anime/covers/  anime-covers",
      "manga/         manga-assets",
    ]);
  });

  it("prints JSON with --json", async () => {
    const { stdout } = await core([
      "cdn",
      "registry",
      "--json",
      "--ssm-endpoint",
      engine.endpoint,
    ]);

    expect(JSON.parse(stdout)).toEqual([
      {
        dir: "anime/covers",
        bucket: "anime-covers",
        parameter: "/cdn-bucket/anime/covers",
      },
      { dir: "manga", bucket: "manga-assets", parameter: "/cdn-bucket/manga" },
    ]);
  });

  it("reads the local core's SSM engine with --local", async () => {
    await writeEndpoints({ ssm: { endpoint: engine.endpoint } });

    const { stdout } = await core(["cdn", "registry", "--local"], {
      CORE_HOME: home,
    });

    expect(stdout).toContain("anime/covers/  anime-covers");
  });

  it("falls back to the buckets in endpoints.json when the local core has no SSM", async () => {
    await writeEndpoints({});

    const { stdout } = await core(["cdn", "registry", "--local"], {
      CORE_HOME: home,
    });

    expect(stdout).toContain("avatars/      core-avatars");
    expect(stdout).toContain("site/static/  site-static");
  });

  it("says when nothing is registered", () => {
    expect(formatRegistry([])).toBe("No buckets are registered.");
  });
});
