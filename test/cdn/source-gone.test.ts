/**
 * When is a source object gone? S3 answers 404 for a missing key and for a
 * key whose current version is a delete marker (with
 * `x-amz-delete-marker: true`), and 405 when the version asked for is a
 * delete marker. s3rver has no versioning, so these answers are played by
 * a canned request handler under the real SDK client.
 */
import { Readable } from "node:stream";
import { S3Client } from "@aws-sdk/client-s3";
import { describe, expect, it } from "vitest";
import {
  getObject,
  headObject,
  isNotFound,
} from "../../src/aws/cdn-objects.ts";
import { LOCAL_CREDENTIALS } from "../../src/aws/clients.ts";

interface Canned {
  readonly statusCode: number;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

/** An S3 client whose every request gets `answer`. */
function clientAnswering(answer: Canned): S3Client {
  return new S3Client({
    region: "us-east-1",
    endpoint: "http://s3.test",
    forcePathStyle: true,
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: 1,
    requestHandler: {
      handle: async () => ({
        response: {
          statusCode: answer.statusCode,
          headers: answer.headers ?? {},
          body: Readable.from([Buffer.from(answer.body ?? "")]),
        },
      }),
    },
  });
}

const errorXml = (code: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${code}</Message></Error>`;

const DELETE_MARKER = { "x-amz-delete-marker": "true" };

describe("reading a source object that may be gone", () => {
  it("reads a current delete marker's 404 as gone", async () => {
    const s3 = clientAnswering({ statusCode: 404, headers: DELETE_MARKER });

    expect(await headObject(s3, "anime-assets", "covers/one.jpg")).toBe(
      undefined,
    );
  });

  it("reads a delete marker's 405 as gone, on HEAD and on GET", async () => {
    const head = clientAnswering({ statusCode: 405, headers: DELETE_MARKER });
    const get = clientAnswering({
      statusCode: 405,
      headers: { ...DELETE_MARKER, "content-type": "application/xml" },
      body: errorXml("MethodNotAllowed"),
    });

    expect(await headObject(head, "anime-assets", "covers/one.jpg")).toBe(
      undefined,
    );
    expect(await getObject(get, "anime-assets", "covers/one.jpg")).toBe(
      undefined,
    );
  });

  it("does not read a 405 without the delete-marker header as gone", async () => {
    const s3 = clientAnswering({
      statusCode: 405,
      headers: { "content-type": "application/xml" },
      body: errorXml("MethodNotAllowed"),
    });

    await expect(
      getObject(s3, "anime-assets", "covers/one.jpg"),
    ).rejects.toMatchObject({ $metadata: { httpStatusCode: 405 } });
  });

  it("does not read access denied as gone", async () => {
    const s3 = clientAnswering({ statusCode: 403 });

    await expect(
      headObject(s3, "anime-assets", "covers/one.jpg"),
    ).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
    expect(isNotFound(new Error("socket hang up"))).toBe(false);
  });
});
