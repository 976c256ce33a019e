/**
 * What a restart of the local core keeps, drops and catches up on, the
 * core running as `npm start` runs it.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateBucketCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { GetParametersByPathCommand, SSMClient } from "@aws-sdk/client-ssm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { clientOptions, s3Options } from "../../src/aws/clients.ts";
import type { LocalEndpoints } from "../../src/local/endpoints-file.ts";
import { freeCorePort } from "../support/core-ports.ts";
import {
  type CoreProcess,
  eventually,
  spawnCore,
  waitForEndpoints,
} from "../support/local-core-process.ts";

const POSTER = Buffer.from(
  "<svg xmlns='http://www.w3.org/2000/svg'><rect/></svg>",
);

let home: string;
let port: string;
let core: CoreProcess | undefined;

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), "core-restart-"));
  port = String(await freeCorePort());
});

afterEach(async () => {
  await core?.stop();
  core = undefined;
  await rm(home, { recursive: true, force: true });
});

async function start(cdnBuckets: string): Promise<LocalEndpoints> {
  core = spawnCore({
    CORE_HOME: home,
    CORE_PORT: port,
    CDN_BUCKETS: cdnBuckets,
  });

  return waitForEndpoints(core, home);
}

async function stop(): Promise<void> {
  expect(await core?.stop()).toBe(0);
  core = undefined;
}

function clientsFor(endpoints: LocalEndpoints) {
  return {
    s3: new S3Client(s3Options(endpoints.region, endpoints.s3.endpoint)),
    ssm: new SSMClient(
      clientOptions(endpoints.region, endpoints.ssm?.endpoint ?? ""),
    ),
  };
}

function upload(endpoints: LocalEndpoints, bucket: string, key: string) {
  return clientsFor(endpoints).s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: POSTER,
      ContentType: "image/svg+xml",
    }),
  );
}

/** The answer at `url` once its status is `status`. */
function served(url: string, status: number) {
  return eventually(async () => {
    const response = await fetch(url);
    if (response.status === status) return response;
    await response.arrayBuffer();
    return undefined;
  }, `${url} to answer ${status}`);
}

/** Directory → bucket, as the CDN sync reads the registry. */
async function registryOf(endpoints: LocalEndpoints) {
  const { Parameters = [] } = await clientsFor(endpoints).ssm.send(
    new GetParametersByPathCommand({ Path: "/cdn-bucket", Recursive: true }),
  );

  return Object.fromEntries(
    Parameters.map((p) => [p.Name?.replace("/cdn-bucket/", ""), p.Value]),
  );
}

describe("local core restarts", () => {
  it("unregisters a bucket dropped from CDN_BUCKETS, keeping the bucket and its objects", async () => {
    let endpoints = await start("anime=anime-assets");
    await upload(endpoints, "anime-assets", "posters/kept.svg");
    await (
      await served(`${endpoints.cdn}/anime/posters/kept.svg`, 200)
    ).arrayBuffer();
    await stop();

    endpoints = await start("");

    expect(endpoints.s3.buckets).toEqual({ avatars: "avatars" });
    expect(await registryOf(endpoints)).toEqual({ avatars: "avatars" });
    expect(core?.output()).toContain(
      "removed /cdn-bucket/anime: its directory is no longer configured",
    );
    const object = await clientsFor(endpoints).s3.send(
      new GetObjectCommand({ Bucket: "anime-assets", Key: "posters/kept.svg" }),
    );
    expect(
      Buffer.from((await object.Body?.transformToByteArray()) ?? []),
    ).toEqual(POSTER);
  });

  it("catches up on uploads the queues lost when it stopped", async () => {
    let endpoints = await start("anime=anime-assets");
    const { s3 } = clientsFor(endpoints);
    // A bucket with an object before it is registered: only a backfill
    // can bring that object to the CDN.
    await s3.send(new CreateBucketCommand({ Bucket: "people-assets" }));
    await upload(endpoints, "people-assets", "faces/first.svg");
    await upload(endpoints, "anime-assets", "posters/late.svg");
    await stop();

    endpoints = await start("anime=anime-assets,people=people-assets");

    // The line comes once every copy is written: s3rver writes an object's
    // body before its metadata, so a read during a copy could see no type.
    const output = await eventually(async () => {
      const text = core?.output() ?? "";
      return text.includes("start-up backfill") ? text : undefined;
    }, "the start-up backfill's line");
    expect(output).toMatch(
      /cdn-backfill +start-up backfill of 3 directories: [1-9]\d* copied \(\d+ bytes\), \d+ already in the R2 stand-in$/m,
    );
    expect(output.indexOf("Local core ready")).toBeLessThan(
      output.indexOf("start-up backfill"),
    );
    for (const path of ["anime/posters/late.svg", "people/faces/first.svg"]) {
      const copy = await fetch(`${endpoints.cdn}/${path}`);
      expect([path, copy.status]).toEqual([path, 200]);
      expect(copy.headers.get("content-type")).toBe("image/svg+xml");
      expect(Buffer.from(await copy.arrayBuffer())).toEqual(POSTER);
    }
  });
});
