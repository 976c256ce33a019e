/**
 * R2 rejects tagging, KMS and ACL headers, and some checksum headers: the
 * requests the sync handler and the backfill copier send to the R2
 * stand-in carry none of them, for single PUTs and multipart uploads alike.
 * Deletes carry none either, except the CRC32 checksum the SDK always puts
 * on DeleteObjects, which R2 accepts (docs/cdn.md, "What R2 is sent").
 */
import { DeleteObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
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
/** Headers no request to R2 may carry, deletes included. */
const NEVER_SENT = /^x-amz-(tagging|server-side-encryption.*|acl|grant-.*)$/;
/** Every header that carries or names a request checksum. */
const CHECKSUM_HEADER =
  /^(content-md5|x-amz-checksum-.*|x-amz-sdk-checksum-algorithm)$/;
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
  engines = await startCdnEngines(["sync-src", "fill-src", "prune-src"]);
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

describe("deletes sent to R2", () => {
  let deleteRequests: ProxiedRequest[];

  beforeAll(async () => {
    const { handler } = cdnSyncUnderTest(engines);
    await engines.sourceClient.send(
      new PutObjectCommand({ Bucket: "sync-src", Key: "gone.txt", Body: "x" }),
    );
    await handler(cdnS3Event("Object Created", "sync-src", "gone.txt"));
    await engines.sourceClient.send(
      new DeleteObjectCommand({ Bucket: "sync-src", Key: "gone.txt" }),
    );
    const deleted = await handler(
      cdnS3Event("Object Deleted", "sync-src", "gone.txt"),
    );
    expect(deleted).toEqual({ outcome: "deleted" });

    await engines.r2Client.send(
      new PutObjectCommand({
        Bucket: R2_BUCKET,
        Key: "pruned/orphan.txt",
        Body: "no source",
      }),
    );
    const [summary] = await backfill(
      await backfillPorts(engines),
      registryOf(["pruned", "prune-src"]),
      R2_BUCKET,
      { delete: true, forceDelete: true },
    );
    expect(summary).toMatchObject({ deleted: 1, failures: [] });
    deleteRequests = engines.r2Proxy.requests.filter(
      (request) =>
        request.method === "DELETE" ||
        (request.method === "POST" && /[?&]delete(=|&|$)/.test(request.query)),
    );
  });

  const headerNames = (request: ProxiedRequest | undefined, pattern: RegExp) =>
    Object.keys(request?.headers ?? {})
      .filter((name) => pattern.test(name))
      .sort();

  it("the sync's DeleteObject: no tagging, encryption, ACL or checksum header", () => {
    const single = deleteRequests.filter(
      (request) => request.path === `/${R2_BUCKET}/synced/gone.txt`,
    );

    expect(single.map((request) => request.method)).toEqual(["DELETE"]);
    expect(headerNames(single[0], NEVER_SENT)).toEqual([]);
    expect(headerNames(single[0], CHECKSUM_HEADER)).toEqual([]);
  });

  it("backfill's DeleteObjects: no tagging, encryption or ACL header; the CRC32 checksum only", () => {
    const batch = deleteRequests.filter((request) => request.method === "POST");

    expect(batch).toHaveLength(1);
    expect(headerNames(batch[0], NEVER_SENT)).toEqual([]);
    expect(headerNames(batch[0], CHECKSUM_HEADER)).toEqual([
      "x-amz-checksum-crc32",
      "x-amz-sdk-checksum-algorithm",
    ]);
    expect(batch[0]?.headers["x-amz-sdk-checksum-algorithm"]).toBe("CRC32");
  });
});
