import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  DeleteParameterCommand,
  GetParametersByPathCommand,
  PutParameterCommand,
  SSMClient,
} from "@aws-sdk/client-ssm";
import {
  afterAll,
  afterEach,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it,
} from "vitest";
import { clientOptions } from "../../src/aws/clients.ts";
import { startSsmSecrets } from "../../src/local/engines/ssm-secrets.ts";
import type { Engine } from "../../src/local/engines/types.ts";
import { syncRegistry } from "../../src/local/registry-record.ts";

const PREFIX = "/cdn-bucket/";

let engine: Engine;
let ssm: SSMClient;
let home: string;

beforeAll(async () => {
  engine = await startSsmSecrets();
  ssm = new SSMClient(clientOptions("us-east-1", engine.endpoint));
});

afterAll(async () => {
  await engine?.stop();
});

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), "core-registry-"));
});

afterEach(async () => {
  await rm(home, { recursive: true, force: true });
  // Each test starts from an empty registry.
  for (const dir of Object.keys(await registry())) {
    await ssm.send(new DeleteParameterCommand({ Name: `${PREFIX}${dir}` }));
  }
});

/** Directory → bucket, as the CDN sync reads the registry. */
async function registry(): Promise<Record<string, string>> {
  const { Parameters = [] } = await ssm.send(
    new GetParametersByPathCommand({ Path: "/cdn-bucket", Recursive: true }),
  );

  return Object.fromEntries(
    Parameters.map((p) => [(p.Name ?? "").slice(PREFIX.length), p.Value ?? ""]),
  );
}

function start(buckets: Record<string, string>) {
  return syncRegistry(ssm, {
    home,
    prefix: PREFIX,
    buckets: { avatars: "avatars", ...buckets },
    permanentDir: "avatars",
  });
}

async function putByHand(dir: string, bucket: string) {
  await ssm.send(
    new PutParameterCommand({
      Name: `${PREFIX}${dir}`,
      Value: bucket,
      Type: "String",
      Overwrite: true,
    }),
  );
}

describe("the local core's registry across starts", () => {
  it("removes a directory it registered once it is no longer configured", async () => {
    await start({ anime: "anime-assets", people: "people-assets" });

    const removed = await start({ people: "people-assets" });

    expect(removed).toEqual(["/cdn-bucket/anime"]);
    expect(await registry()).toEqual({
      avatars: "avatars",
      people: "people-assets",
    });
  });

  it("keeps what it did not write, or what was re-pointed by hand since", async () => {
    await putByHand("manual", "manual-assets");
    await start({ anime: "anime-assets" });
    await putByHand("anime", "hand-picked");

    const removed = await start({});

    expect(removed).toEqual([]);
    expect(await registry()).toEqual({
      avatars: "avatars",
      manual: "manual-assets",
      anime: "hand-picked",
    });
  });

  it("removes nothing when its record is garbled", async () => {
    await start({ anime: "anime-assets" });
    await writeFile(join(home, "registry.json"), "{ not json");

    expect(await start({})).toEqual([]);
    expect(await registry()).toMatchObject({ anime: "anime-assets" });
  });
});
