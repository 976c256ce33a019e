import {
  DeleteObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backfill } from "../../src/cdn/backfill.ts";
import type { BackfillPorts } from "../../src/cdn/backfill-ports.ts";
import { verify } from "../../src/cdn/verify.ts";
import {
  type CdnEngines,
  R2_BUCKET,
  startCdnEngines,
} from "../support/cdn-engines.ts";
import {
  backfillPorts,
  objectHeads,
  putObjects,
  registryOf,
} from "./backfill-fixture.ts";

let engines: CdnEngines;
let ports: BackfillPorts;
const registry = registryOf(["covers", "covers-src"]);

beforeAll(async () => {
  engines = await startCdnEngines(["covers-src"]);
  ports = await backfillPorts(engines);
  await putObjects(engines.sourceClient, "covers-src", 6);
  await backfill(ports, registry, R2_BUCKET);
});
afterAll(async () => {
  await engines?.stop();
});

async function put(bucket: string, key: string, body: string): Promise<void> {
  await engines.sourceClient.send(
    new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }),
  );
}

describe("verify", () => {
  it("finds no difference right after a backfill", async () => {
    const [result] = await verify(ports, registry, R2_BUCKET);

    expect(result).toMatchObject({ dir: "covers", same: 6, differences: [] });
  });

  it("reports missing, extra and different objects, changing nothing", async () => {
    await put("covers-src", "added.txt", "new");
    await engines.sourceClient.send(
      new DeleteObjectCommand({ Bucket: "covers-src", Key: "item-1.txt" }),
    );
    // Same length as "body of item-2": only the recorded ETag tells them apart.
    await put("covers-src", "item-2.txt", "BODY OF ITEM-2");
    await put("covers-src", "item-3.txt", "a different length");
    await engines.r2Client.send(
      new PutObjectCommand({
        Bucket: R2_BUCKET,
        Key: "covers/item-4.txt",
        Body: "body of item-4",
        Metadata: { "source-etag": "stale" },
      }),
    );
    const before = engines.r2Proxy.requests.length;

    const [result] = await verify(ports, registry, R2_BUCKET);

    expect(result?.differences).toEqual([
      { kind: "missing", key: "added.txt" },
      { kind: "extra", key: "item-1.txt" },
      { kind: "different", key: "item-2.txt" },
      { kind: "different", key: "item-3.txt" },
    ]);
    expect(result?.same).toBe(3);
    const writes = engines.r2Proxy.requests
      .slice(before)
      .filter((request) => !["GET", "HEAD"].includes(request.method));
    expect(writes).toEqual([]);
  });

  it("with heads (--deep), also reports same bytes under other headers or user metadata", async () => {
    const copy = (key: string) =>
      engines.r2Client.send(
        new HeadObjectCommand({ Bucket: R2_BUCKET, Key: `covers/${key}` }),
      );
    const [item0, item5] = await Promise.all([
      copy("item-0.txt"),
      copy("item-5.txt"),
    ]);
    // The same bytes (so the same MD5 ETag in the listing), rewritten with
    // another Cache-Control and an extra metadata entry respectively.
    await engines.r2Client.send(
      new PutObjectCommand({
        Bucket: R2_BUCKET,
        Key: "covers/item-5.txt",
        Body: "body of item-5",
        ContentType: item5.ContentType,
        CacheControl: "no-store",
        Metadata: item5.Metadata,
      }),
    );
    await engines.r2Client.send(
      new PutObjectCommand({
        Bucket: R2_BUCKET,
        Key: "covers/item-0.txt",
        Body: "body of item-0",
        ContentType: item0.ContentType,
        Metadata: { ...item0.Metadata, owner: "someone else" },
      }),
    );

    const [shallow] = await verify(ports, registry, R2_BUCKET);
    const [deep] = await verify(ports, registry, R2_BUCKET, [], {
      heads: objectHeads(engines),
    });

    const metadataKinds = (result: typeof deep) =>
      result?.differences.filter((d) => d.kind === "metadata");
    expect(metadataKinds(shallow)).toEqual([]);
    // item-4's copy was rewritten above without the source's Content-Type.
    expect(metadataKinds(deep)).toEqual([
      { kind: "metadata", key: "item-0.txt" },
      { kind: "metadata", key: "item-4.txt" },
      { kind: "metadata", key: "item-5.txt" },
    ]);
    expect(deep?.same).toBe((shallow?.same ?? 0) - 3);
  });
});
