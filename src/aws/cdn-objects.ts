/**
 * Reading objects through an S3 API client (S3 itself, R2 or s3rver) into
 * the CDN ports' plain shapes. Shared by the source and R2 adapters.
 */
import type { Readable } from "node:stream";
import {
  GetObjectCommand,
  type GetObjectCommandOutput,
  HeadObjectCommand,
  type HeadObjectCommandOutput,
  type S3Client,
} from "@aws-sdk/client-s3";
import { bareEtag } from "../cdn/mirror-state.ts";
import type { ObjectBody, ObjectHead } from "../cdn/ports.ts";

/**
 * True for "no such key" answers: a 404, which S3 also gives when the
 * key's current version is a delete marker, and a 405 flagged
 * `x-amz-delete-marker: true`, its answer when the version read is a
 * delete marker. Any other 405 is not proof that the object is gone.
 */
export function isNotFound(error: unknown): boolean {
  const failure = error as {
    name?: string;
    $metadata?: { httpStatusCode?: number };
    $response?: { headers?: Record<string, string | undefined> };
  };
  const status = failure.$metadata?.httpStatusCode;
  if (status === 405) return isDeleteMarker(failure.$response?.headers ?? {});

  return (
    failure.name === "NotFound" ||
    failure.name === "NoSuchKey" ||
    status === 404
  );
}

function isDeleteMarker(headers: Record<string, string | undefined>): boolean {
  const name = Object.keys(headers).find(
    (header) => header.toLowerCase() === "x-amz-delete-marker",
  );

  return name !== undefined && headers[name] === "true";
}

/** HeadObject, or undefined when the key does not exist. */
export async function headObject(
  client: S3Client,
  bucket: string,
  key: string,
): Promise<ObjectHead | undefined> {
  try {
    const output = await client.send(
      new HeadObjectCommand({ Bucket: bucket, Key: key }),
    );
    return toHead(output);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** GetObject with a streaming body, or undefined when the key is gone. */
export async function getObject(
  client: S3Client,
  bucket: string,
  key: string,
): Promise<ObjectBody | undefined> {
  try {
    const output = await client.send(
      new GetObjectCommand({ Bucket: bucket, Key: key }),
    );
    return { ...toHead(output), body: output.Body as Readable };
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

function toHead(
  output: HeadObjectCommandOutput | GetObjectCommandOutput,
): ObjectHead {
  const versionId =
    output.VersionId && output.VersionId !== "null"
      ? output.VersionId
      : undefined;

  return {
    etag: bareEtag(output.ETag ?? ""),
    ...(versionId ? { versionId } : {}),
    size: output.ContentLength ?? 0,
    headers: {
      contentType: output.ContentType,
      cacheControl: output.CacheControl,
      contentDisposition: output.ContentDisposition,
      contentEncoding: output.ContentEncoding,
      contentLanguage: output.ContentLanguage,
    },
    metadata: output.Metadata ?? {},
  };
}
