/**
 * Multipart upload of one streamed body, in parts of equal size (R2
 * requires every part but the last to be the same size) read into pooled
 * buffers (bulk-parts.ts), so memory stays bounded. No temporary files.
 */
import type { Readable } from "node:stream";
import { CdnCopyError } from "../cdn/backfill-errors.ts";
import { type BulkEndpoint, objectUrl } from "./bulk-endpoint.ts";
import type { BulkHttp } from "./bulk-http.ts";
import { type PartBuffers, PartReader, partSizeFor } from "./bulk-parts.ts";

export interface MultipartUpload {
  readonly http: BulkHttp;
  readonly endpoint: BulkEndpoint;
  readonly bucket: string;
  readonly key: string;
  /** Content headers and metadata, sent when the upload is created. */
  readonly headers: Record<string, string>;
  readonly body: Readable;
  readonly size: number;
  readonly buffers: PartBuffers;
  readonly signal?: AbortSignal;
}

/** Uploads `body` in parts; aborts the upload if any step fails. */
export async function uploadInParts(upload: MultipartUpload): Promise<void> {
  const uploadId = await createUpload(upload);
  try {
    const etags = await uploadParts(upload, uploadId);
    await completeUpload(upload, uploadId, etags);
  } catch (error) {
    await abortUpload(upload, uploadId).catch(() => undefined);
    throw error;
  }
}

async function uploadParts(
  upload: MultipartUpload,
  uploadId: string,
): Promise<string[]> {
  const partSize = partSizeFor(upload.size);
  const reader = new PartReader(upload.body, partSize);
  const etags: string[] = [];
  const running: Promise<void>[] = [];
  let failure: unknown;

  for (let partNumber = 1; failure === undefined; partNumber += 1) {
    const buffer = await upload.buffers.take(partSize);
    const part = await reader.next(buffer).catch((error: unknown) => {
      failure ??= error;
      return undefined;
    });
    if (!part || failure !== undefined) {
      upload.buffers.give(buffer);
      break;
    }
    const sending = sendPart(upload, uploadId, partNumber, part)
      .then((etag) => {
        etags[partNumber - 1] = etag;
      })
      .catch((error: unknown) => {
        failure ??= error;
      })
      .finally(() => upload.buffers.give(buffer));
    running.push(sending);
  }
  await Promise.all(running);
  if (failure !== undefined) throw failure;
  if (reader.bytesRead !== upload.size) {
    const message = `the source sent ${reader.bytesRead} of ${upload.size} bytes`;
    throw new CdnCopyError(upload.key, message, true);
  }

  return etags;
}

async function sendPart(
  upload: MultipartUpload,
  uploadId: string,
  partNumber: number,
  part: Buffer,
): Promise<string> {
  const response = await upload.http.send({
    method: "PUT",
    url: objectUrl(upload.endpoint, upload.bucket, upload.key, {
      partNumber: String(partNumber),
      uploadId,
    }),
    headers: { "content-length": String(part.length) },
    body: part,
    signal: upload.signal,
    key: upload.key,
  });
  response.resume();
  const etag = response.headers.etag;
  if (!etag) {
    throw new CdnCopyError(upload.key, `part ${partNumber} has no ETag`, true);
  }

  return etag;
}

async function createUpload(upload: MultipartUpload): Promise<string> {
  const text = await call(upload, "POST", { uploads: "" }, upload.headers);
  const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(text)?.[1];
  if (!uploadId) {
    throw new CdnCopyError(upload.key, "no UploadId in the answer", true);
  }

  return uploadId;
}

async function completeUpload(
  upload: MultipartUpload,
  uploadId: string,
  etags: readonly string[],
): Promise<void> {
  const parts = etags
    .map(
      (etag, index) =>
        `<Part><PartNumber>${index + 1}</PartNumber><ETag>${escapeXml(etag)}</ETag></Part>`,
    )
    .join("");
  const body = `<CompleteMultipartUpload>${parts}</CompleteMultipartUpload>`;
  const text = await call(
    upload,
    "POST",
    { uploadId },
    { "content-type": "application/xml" },
    body,
  );
  // S3 can answer 200 and still report an error in the body.
  if (text.includes("<Error>")) {
    const code = /<Code>([^<]+)<\/Code>/.exec(text)?.[1] ?? "unknown";
    throw new CdnCopyError(upload.key, `completing failed: ${code}`, true);
  }
}

async function abortUpload(
  upload: MultipartUpload,
  uploadId: string,
): Promise<void> {
  await call(upload, "DELETE", { uploadId }, {});
}

async function call(
  upload: MultipartUpload,
  method: "POST" | "DELETE",
  query: Record<string, string>,
  headers: Record<string, string>,
  body = "",
): Promise<string> {
  const payload = Buffer.from(body);
  const response = await upload.http.send({
    method,
    url: objectUrl(upload.endpoint, upload.bucket, upload.key, query),
    headers: { ...headers, "content-length": String(payload.length) },
    body: payload,
    key: upload.key,
  });
  let text = "";
  for await (const chunk of response) text += String(chunk);

  return text;
}

function escapeXml(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/"/g, "&quot;");
}
