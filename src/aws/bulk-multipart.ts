/**
 * Multipart upload of one streamed body: parts of equal size (R2 requires
 * every part but the last to be the same size), read into buffers taken
 * from a shared pool and returned after each part is sent, so memory stays
 * at pool size x part size however large or numerous the objects (fresh
 * buffers per part measured 5x that, waiting for GC). No temporary files.
 */
import type { Readable } from "node:stream";
import { CdnCopyError } from "../cdn/backfill-errors.ts";
import { Slots } from "../cdn/bulk-pool.ts";
import { type BulkEndpoint, objectUrl } from "./bulk-endpoint.ts";
import type { BulkHttp } from "./bulk-http.ts";

/** R2 and S3 accept parts of 5 MiB and up; 8 MiB matches rclone's chunk. */
export const MIN_PART_SIZE = 8 * 1024 * 1024;
/** S3 and R2 accept at most 10,000 parts per upload. */
const MAX_PARTS = 10_000;
const MIB = 1024 * 1024;

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

/** A fixed set of MIN_PART_SIZE buffers shared by all uploads of a copier. */
export class PartBuffers {
  private readonly slots: Slots;
  private readonly free: Buffer[] = [];

  constructor(count: number) {
    this.slots = new Slots(count);
  }

  /** A buffer of at least `size` bytes; waits while all are in use. */
  async take(size: number): Promise<Buffer> {
    await this.slots.acquire();
    const buffer = this.free.pop();
    if (buffer && buffer.length >= size) return buffer;

    return Buffer.allocUnsafe(Math.max(size, MIN_PART_SIZE));
  }

  give(buffer: Buffer): void {
    // Oversized parts (objects over 80 GiB) are left to the GC.
    if (buffer.length === MIN_PART_SIZE) this.free.push(buffer);
    this.slots.release();
  }
}

/** Part size for `size` bytes: at least MIN_PART_SIZE, whole MiB. */
export function partSizeFor(size: number): number {
  const needed = Math.ceil(size / MAX_PARTS / MIB) * MIB;

  return Math.max(MIN_PART_SIZE, needed);
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

/** Reads a stream as consecutive buffers of `size` bytes (the last shorter). */
class PartReader {
  private readonly chunks: AsyncIterator<Buffer>;
  private leftover: Buffer | undefined;
  /** Bytes handed out in parts so far. */
  bytesRead = 0;

  constructor(
    body: Readable,
    private readonly size: number,
  ) {
    this.chunks = body[Symbol.asyncIterator]();
  }

  /** Fills the start of `buffer`; undefined once the body is exhausted. */
  async next(buffer: Buffer): Promise<Buffer | undefined> {
    let filled = 0;
    while (filled < this.size) {
      const chunk = this.leftover ?? (await this.read());
      this.leftover = undefined;
      if (!chunk) break;
      const taken = Math.min(chunk.length, this.size - filled);
      chunk.copy(buffer, filled, 0, taken);
      filled += taken;
      if (taken < chunk.length) this.leftover = chunk.subarray(taken);
    }
    this.bytesRead += filled;

    return filled === 0 ? undefined : buffer.subarray(0, filled);
  }

  private async read(): Promise<Buffer | undefined> {
    const result = await this.chunks.next();

    return result.done ? undefined : result.value;
  }
}
