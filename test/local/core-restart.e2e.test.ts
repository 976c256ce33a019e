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
import { dataFolders } from "../../src/local/core-engines.ts";
import type { LocalEndpoints } from "../../src/local/endpoints-file.ts";
import { startS3rver } from "../../src/local/engines/s3rver.ts";
import { freeCorePort } from "../support/core-ports.ts";
import {
  type CoreProcess,
  eventually,
  served,
  spawnCore,
  waitForEndpoints,
} from "../support/local-core-process.ts";

const POSTER = Buffer.from(
  "<svg xmlns='http://www.w3.org/2000/svg'><rect/></svg>",
);

/** An object of a registered bucket whose S3 event no queue ever held. */
const LOST_FRAME = {
  bucket: "anime-assets",
  key: "frames/lost.png",
  contentType: "image/png",
  body: Buffer.from("89504e470d0a1a0a0000000d49484452", "hex"),
};

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

/**
 * Writes `object` into the stopped core's buckets through an s3rver of its
 * own on the core's folder, started as the core starts it, so the body,
 * metadata and checksum files are laid out as the core reads them.
 */
async function writeWhileStopped(
  region: string,
  object: typeof LOST_FRAME,
): Promise<void> {
  const s3rver = await startS3rver({ directory: dataFolders(home).s3 });
  const s3 = new S3Client(s3Options(region, s3rver.endpoint));
  try {
    await s3.send(
      new PutObjectCommand({
        Bucket: object.bucket,
        Key: object.key,
        Body: object.body,
        ContentType: object.contentType,
      }),
    );
  } finally {
    s3.destroy();
    await s3rver.stop();
  }
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

  it("copies to the CDN on start the uploads no queue message carried: made while it was stopped or before their bucket was registered", async () => {
    let endpoints = await start("anime=anime-assets");
    const { s3 } = clientsFor(endpoints);
    await s3.send(new CreateBucketCommand({ Bucket: "people-assets" }));
    await upload(endpoints, "people-assets", "faces/first.svg");
    await upload(endpoints, "anime-assets", "posters/late.svg");
    // Mirrored live, so the backfill finds it already in the R2 stand-in.
    await (
      await served(`${endpoints.cdn}/anime/posters/late.svg`, 200)
    ).arrayBuffer();
    await stop();
    // No core is running, so no S3 event reaches a queue: only the
    // start-up backfill can bring this object to the CDN.
    await writeWhileStopped(endpoints.region, LOST_FRAME);

    endpoints = await start("anime=anime-assets,people=people-assets");

    // The line comes once every copy is written: s3rver writes an object's
    // body before its metadata, so a read during a copy could see no type.
    const output = await eventually(async () => {
      const text = core?.output() ?? "";
      return text.includes("start-up backfill") ? text : undefined;
    }, "the start-up backfill's line");
    const copiedBytes = POSTER.length + LOST_FRAME.body.length;
    expect(output).toMatch(
      new RegExp(
        `cdn-backfill +start-up backfill of 3 directories: 2 copied \\(${copiedBytes} bytes\\), 1 already in the R2 stand-in$`,
        "m",
      ),
    );
    expect(output.indexOf("Local core ready")).toBeLessThan(
      output.indexOf("start-up backfill"),
    );
    const expected = [
      ["anime/posters/late.svg", "image/svg+xml", POSTER],
      ["people/faces/first.svg", "image/svg+xml", POSTER],
      [`anime/${LOST_FRAME.key}`, LOST_FRAME.contentType, LOST_FRAME.body],
    ] as const;
    for (const [path, contentType, body] of expected) {
      const copy = await fetch(`${endpoints.cdn}/${path}`);
      expect([path, copy.status]).toEqual([path, 200]);
      expect([path, copy.headers.get("content-type")]).toEqual([
        path,
        contentType,
      ]);
      expect(Buffer.from(await copy.arrayBuffer())).toEqual(body);
    }
  });
});
