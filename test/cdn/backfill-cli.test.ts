import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { Command } from "commander";
import {
  afterAll,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it,
  vi,
} from "vitest";
import type { CdnTargets } from "../../src/aws/bulk-targets.ts";
import { s3Options } from "../../src/aws/clients.ts";
import { registerBackfillCommands } from "../../src/cli/cdn-backfill.ts";
import {
  type CdnEngines,
  R2_BUCKET,
  startCdnEngines,
} from "../support/cdn-engines.ts";
import { putObjects, registryOf } from "./backfill-fixture.ts";

let engines: CdnEngines;
let targets: CdnTargets;
let output: string[];

beforeAll(async () => {
  engines = await startCdnEngines(["covers-src", "posters-src", "local-r2"]);
  targets = {
    sourceS3: () => engines.sourceClient,
    r2: new S3Client(s3Options("us-east-1", engines.r2Proxy.endpoint)),
    r2Bucket: R2_BUCKET,
    registry: registryOf(["covers", "covers-src"], ["posters", "posters-src"]),
  };
  await putObjects(engines.sourceClient, "covers-src", 3);
  await putObjects(engines.sourceClient, "posters-src", 2);
});
afterAll(async () => {
  await engines?.stop();
});
beforeEach(() => {
  output = [];
  vi.spyOn(console, "log").mockImplementation((line: string) => {
    output.push(line);
  });
  process.exitCode = undefined;
});

/** Runs `core cdn <args>` and returns the exit code it set. */
async function core(...args: string[]): Promise<number> {
  const program = new Command("core").exitOverride();
  registerBackfillCommands(program.command("cdn"), async () => targets);
  await program.parseAsync(["cdn", ...args], { from: "user" });
  const code = Number(process.exitCode ?? 0);
  process.exitCode = undefined;

  return code;
}

describe("core cdn backfill and verify", () => {
  it("verify lists what is missing and exits 1", async () => {
    const code = await core("verify", "--dir", "covers");

    expect(code).toBe(1);
    expect(output).toContain("covers (covers-src): 0 same, 3 differences");
    expect(output).toContain("  missing   covers/item-0.txt");
  });

  it("a dry run prints the plan and copies nothing", async () => {
    const code = await core("backfill", "--dry-run");

    expect(code).toBe(0);
    expect(output[0]).toMatch(/^dir\s+to copy\s+bytes/);
    expect(output.join("\n")).toMatch(/covers\s+3\s/);
    expect(engines.r2Proxy.count("PUT")).toBe(0);
  });

  it("backfills the chosen directories, prints a summary, then verifies clean", async () => {
    const code = await core(
      "backfill",
      "--dir",
      "covers",
      "--dir",
      "posters",
      "--concurrency",
      "2",
    );
    const verified = await core("verify");

    expect(code).toBe(0);
    expect(output.join("\n")).toMatch(/covers\s+3\s+42 B\s+0\s+0\s+0\s+0/);
    expect(output.join("\n")).toMatch(/posters\s+2\s/);
    expect(verified).toBe(0);
    expect(output).toContain("covers (covers-src): 3 same, 0 differences");
  });

  it("exits 1 and explains when deletion would exceed the cap", async () => {
    await engines.r2Client.send(
      new PutObjectCommand({
        Bucket: R2_BUCKET,
        Key: "covers/orphan.txt",
        Body: "x",
      }),
    );

    const code = await core("backfill", "--dir", "covers", "--delete");

    expect(code).toBe(1);
    expect(output.join("\n")).toContain(
      "covers: 1 objects have no source, more than the cap of 0",
    );
  });

  it("--local backfills the local core named by its endpoints.json", async () => {
    const home = await mkdtemp(join(tmpdir(), "core-home-"));
    await writeFile(join(home, "endpoints.json"), localEndpoints());
    process.env.CORE_HOME = home;
    const program = new Command("core").exitOverride();
    registerBackfillCommands(program.command("cdn"));

    await program.parseAsync(["cdn", "backfill", "--local"], { from: "user" });
    const listed = await engines.sourceClient.send(
      new ListObjectsV2Command({ Bucket: "local-r2", Prefix: "covers/" }),
    );

    expect(process.exitCode ?? 0).toBe(0);
    expect(listed.KeyCount).toBe(3);
    delete process.env.CORE_HOME;
    await rm(home, { recursive: true, force: true });
  });

  it("a directory whose bucket does not exist fails alone: the others run, and the summary says why", async () => {
    const registered = targets;
    targets = {
      ...targets,
      registry: registryOf(["ghosts", "ghost-src"], ["posters", "posters-src"]),
    };

    const code = await core("backfill");
    const verified = await core("verify");
    targets = registered;

    expect(code).toBe(1);
    expect(output.join("\n")).toMatch(/ghosts\s+0\s+0 B\s+0\s+0\s+0\s+1/);
    expect(output).toContain(
      "ghosts: not backfilled: Could not list ghost-src: NoSuchBucket",
    );
    expect(output.join("\n")).toMatch(/posters\s+\d+\s/);
    expect(verified).toBe(1);
    expect(output).toContain(
      "ghosts (ghost-src): not verified: Could not list ghost-src: NoSuchBucket",
    );
    expect(output).toContain("posters (posters-src): 2 same, 0 differences");
  });

  it("verify --deep reports a copy whose headers differ from its source", async () => {
    const key = "covers/item-1.txt";
    const head = await engines.r2Client.send(
      new HeadObjectCommand({ Bucket: R2_BUCKET, Key: key }),
    );
    await engines.r2Client.send(
      new PutObjectCommand({
        Bucket: R2_BUCKET,
        Key: key,
        Body: "body of item-1",
        ContentType: "text/html",
        Metadata: head.Metadata,
      }),
    );

    await core("verify", "--dir", "covers");
    const shallow = output.splice(0);
    const deep = await core("verify", "--dir", "covers", "--deep");

    expect(shallow).not.toContain("  metadata  covers/item-1.txt");
    expect(deep).toBe(1);
    expect(output).toContain("  metadata  covers/item-1.txt");
  });

  it("rejects a negative --max-delete", async () => {
    const run = core("backfill", "--delete", "--max-delete", "-1");

    await expect(run).rejects.toThrow(/whole number/);
  });
});

/** A local core whose one s3rver holds the source and the R2 bucket. */
function localEndpoints(): string {
  const endpoint = engines.source.endpoint;

  return JSON.stringify({
    api: "http://127.0.0.1:1",
    cdn: "http://127.0.0.1:1",
    cognito: {
      endpoint: "http://127.0.0.1:1",
      userPoolId: "local",
      clientId: "local",
      issuer: "http://127.0.0.1:1",
    },
    dynamodb: { endpoint: "http://127.0.0.1:1", usersTable: "users" },
    s3: { endpoint, buckets: { covers: "covers-src" }, r2Bucket: "local-r2" },
    sqs: {
      endpoint: "http://127.0.0.1:1",
      syncQueueUrl: "http://127.0.0.1:1/q",
      cdnQueueUrl: "http://127.0.0.1:1/c",
    },
  });
}
