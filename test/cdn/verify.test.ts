import { DeleteObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backfill } from "../../src/cdn/backfill.ts";
import type { BackfillPorts } from "../../src/cdn/backfill-ports.ts";
import { verify } from "../../src/cdn/verify.ts";
import {
  type CdnEngines,
  R2_BUCKET,
  startCdnEngines,
} from "../support/cdn-engines.ts";
import { backfillPorts, putObjects, registryOf } from "./backfill-fixture.ts";

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
});
