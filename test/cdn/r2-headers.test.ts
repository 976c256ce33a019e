/**
 * R2 rejects tagging, KMS and ACL headers, and some checksum headers: the
 * requests the sync handler and the backfill copier send to the R2
 * stand-in carry none of them, for single PUTs and multipart uploads alike.
 */
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backfill } from "../../src/cdn/backfill.ts";
import {
  type CdnEngines,
  R2_BUCKET,
  startCdnEngines,
} from "../support/cdn-engines.ts";
import { cdnS3Event } from "../support/cdn-events.ts";
import type { ProxiedRequest } from "../support/cdn-proxy.ts";
import { cdnSyncUnderTest } from "../support/cdn-sync-deps.ts";
import { backfillPorts, registryOf } from "./backfill-fixture.ts";

/** Header names R2 refuses or the copiers must never send to it. */
const REFUSED_HEADER =
  /^x-amz-(tagging|server-side-encryption.*|acl|checksum-.*|sdk-checksum-algorithm)$/;
/** Above the sync's 8 MiB part size and the lowered backfill threshold. */
const MULTIPART_BYTES = 9 * 1024 * 1024;

const OBJECTS = [
  { name: "small", key: "small.txt", body: Buffer.from("a small body") },
  {
    name: "multipart-sized",
    key: "big.bin",
    body: Buffer.alloc(MULTIPART_BYTES, 7),
  },
];

let engines: CdnEngines;

beforeAll(async () => {
  engines = await startCdnEngines(["sync-src", "fill-src"]);
  await engines.register("synced", "sync-src");
  await engines.storeR2Secret();
  for (const bucket of ["sync-src", "fill-src"]) {
    for (const object of OBJECTS) {
      // Tagged, encrypted and with an ACL in the source: none of it may
      // travel to R2.
      await engines.sourceClient.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: object.key,
          Body: object.body,
          ContentType: "application/x-test",
          Metadata: { origin: "test" },
          Tagging: "team=anime",
          ServerSideEncryption: "AES256",
          ACL: "public-read",
        }),
      );
    }
  }

  const { handler } = cdnSyncUnderTest(engines);
  for (const object of OBJECTS) {
    const result = await handler(
      cdnS3Event("Object Created", "sync-src", object.key),
    );
    expect(result).toEqual({ outcome: "copied" });
  }
  const ports = await backfillPorts(engines, {
    multipartThreshold: 5 * 1024 * 1024,
  });
  const [summary] = await backfill(
    ports,
    registryOf(["filled", "fill-src"]),
    R2_BUCKET,
  );
  expect(summary).toMatchObject({ copied: 2, failures: [] });
}, 60_000);

afterAll(async () => {
  await engines?.stop();
});

/** Every request the proxy saw for the R2 object `r2Key`. */
function requestsFor(r2Key: string): ProxiedRequest[] {
  return engines.r2Proxy.requests.filter(
    (request) => request.path === `/${R2_BUCKET}/${r2Key}`,
  );
}

/** `METHOD ?query header` for each refused header sent. */
function refusedHeaders(requests: ProxiedRequest[]): string[] {
  return requests.flatMap((request) =>
    Object.keys(request.headers)
      .filter((name) => REFUSED_HEADER.test(name))
      .map((name) => `${request.method} ${request.query} ${name}`),
  );
}

/** What kind of write each request is, in order. */
function writeKinds(requests: ProxiedRequest[]): string[] {
  return requests.flatMap((request) => {
    if (request.method === "POST" && request.query.includes("uploads")) {
      return ["create"];
    }
    if (request.method === "PUT" && request.query.includes("partNumber")) {
      return ["part"];
    }
    if (request.method === "POST" && request.query.includes("uploadId")) {
      return ["complete"];
    }
    return request.method === "PUT" ? ["put"] : [];
  });
}

describe.each([
  { copier: "the sync handler", dir: "synced" },
  { copier: "the backfill copier", dir: "filled" },
])("requests $copier sends to R2", ({ dir }) => {
  it("a small object: one PUT, with its content headers and metadata, and nothing R2 refuses", () => {
    const requests = requestsFor(`${dir}/small.txt`);
    const [put] = requests.filter((request) => request.method === "PUT");

    expect(writeKinds(requests)).toEqual(["put"]);
    expect(put?.headers["content-type"]).toBe("application/x-test");
    expect(put?.headers["x-amz-meta-origin"]).toBe("test");
    expect(refusedHeaders(requests)).toEqual([]);
  });

  it("a multipart-sized object: create, two parts, complete, and nothing R2 refuses", () => {
    const requests = requestsFor(`${dir}/big.bin`);
    const kinds = writeKinds(requests);

    expect(kinds[0]).toBe("create");
    expect(kinds.filter((kind) => kind === "part")).toHaveLength(2);
    expect(kinds.at(-1)).toBe("complete");
    expect(refusedHeaders(requests)).toEqual([]);
  });
});
