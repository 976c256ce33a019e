/**
 * The bulk copier: GET from the source bucket and PUT to R2 through the
 * lean signed transport, one streamed PUT for objects up to
 * MULTIPART_THRESHOLD and a multipart upload above it. Headers and user
 * metadata are carried over, plus the source ETag and version id the sync
 * compares against.
 */
import type { IncomingHttpHeaders, IncomingMessage } from "node:http";
import { CdnCopyError } from "../cdn/backfill-errors.ts";
import type { CopyRequest, ObjectCopier } from "../cdn/backfill-ports.ts";
import { normaliseEtag } from "../cdn/diff.ts";
import { SOURCE_ETAG_METADATA, SOURCE_VERSION_METADATA } from "../cdn/types.ts";
import { type BulkEndpoint, objectUrl } from "./bulk-endpoint.ts";
import { BulkHttp } from "./bulk-http.ts";
import { uploadInParts } from "./bulk-multipart.ts";
import { PartBuffers } from "./bulk-parts.ts";

/**
 * Objects above this go multipart. A streamed single PUT holds no buffer
 * and measured faster than 8 MiB parts for 50 MiB objects (both engines
 * and R2 accept single PUTs up to 5 GiB); above 100 MiB a failed PUT would
 * restart too much, so parts take over (rclone's cutoff is 200 MiB).
 */
export const MULTIPART_THRESHOLD = 100 * 1024 * 1024;
/** Part buffers held at once by all multipart copies of one copier. */
export const MAX_PARTS_IN_FLIGHT = 8;
/** Attempts per object for network errors, 5xx and 429. */
const MAX_ATTEMPTS = 3;
const RETRY_BASE_MS = 200;

/** Headers S3 returns that R2 must serve the same way. */
const MIRRORED_HEADERS = [
  "content-type",
  "cache-control",
  "content-disposition",
  "content-encoding",
  "content-language",
];

/** Where the copier reads and writes. */
export interface BulkCopierTargets {
  /** The endpoint that serves `bucket`; called once per bucket. */
  readonly sourceFor: (bucket: string) => Promise<BulkEndpoint>;
  readonly target: BulkEndpoint;
  readonly targetBucket: string;
  /** Defaults to MULTIPART_THRESHOLD; tests and benchmarks lower it. */
  readonly multipartThreshold?: number;
}

/** Copies objects with signed node:http requests; see the module doc. */
export class BulkCopier implements ObjectCopier {
  private readonly sources = new Map<string, Promise<BulkSource>>();
  private readonly targetHttp: BulkHttp;
  private readonly partBuffers = new PartBuffers(MAX_PARTS_IN_FLIGHT);

  constructor(private readonly targets: BulkCopierTargets) {
    this.targetHttp = new BulkHttp(targets.target);
  }

  async copy(
    request: CopyRequest,
    signal?: AbortSignal,
  ): Promise<number | undefined> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.copyOnce(request, signal);
      } catch (error) {
        const retryable =
          error instanceof CdnCopyError && error.retryable && !signal?.aborted;
        if (!retryable || attempt >= MAX_ATTEMPTS) throw error;
        await sleep(RETRY_BASE_MS * 2 ** (attempt - 1));
      }
    }
  }

  private async copyOnce(
    request: CopyRequest,
    signal?: AbortSignal,
  ): Promise<number | undefined> {
    const source = await this.sourceOf(request.bucket);
    const body = await source.http
      .send({
        method: "GET",
        url: objectUrl(source.endpoint, request.bucket, request.key),
        signal,
        key: request.key,
      })
      .catch((error: unknown) => {
        if (error instanceof CdnCopyError && error.sourceGone) return undefined;
        throw error;
      });
    if (!body) return undefined;

    try {
      return await this.write(request, body, signal);
    } finally {
      // Frees the source connection when the write failed part-way.
      if (!body.readableEnded) body.destroy();
    }
  }

  private sourceOf(bucket: string): Promise<BulkSource> {
    let source = this.sources.get(bucket);
    if (!source) {
      source = this.targets.sourceFor(bucket).then((endpoint) => ({
        endpoint,
        http: new BulkHttp(endpoint),
      }));
      this.sources.set(bucket, source);
    }

    return source;
  }

  private async write(
    request: CopyRequest,
    body: IncomingMessage,
    signal?: AbortSignal,
  ): Promise<number> {
    const { target, targetBucket } = this.targets;
    const size = Number(body.headers["content-length"] ?? 0);
    const headers = mirroredHeaders(body.headers);
    const threshold = this.targets.multipartThreshold ?? MULTIPART_THRESHOLD;
    if (size > threshold) {
      await uploadInParts({
        http: this.targetHttp,
        endpoint: target,
        bucket: targetBucket,
        key: request.targetKey,
        headers,
        body,
        size,
        buffers: this.partBuffers,
        signal,
      });
      return size;
    }

    headers["content-length"] = String(size);
    const response = await this.targetHttp.send({
      method: "PUT",
      url: objectUrl(target, targetBucket, request.targetKey),
      headers,
      body,
      signal,
      key: request.key,
    });
    response.resume();

    return size;
  }
}

/**
 * The R2 request headers for a source GET response: content headers,
 * user metadata, and the source ETag and version id. No tagging, ACL or
 * encryption headers, which R2 rejects.
 */
export function mirroredHeaders(
  source: IncomingHttpHeaders,
): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(source)) {
    if (typeof value !== "string") continue;
    if (MIRRORED_HEADERS.includes(name) || name.startsWith("x-amz-meta-")) {
      headers[name] = value;
    }
  }
  headers[`x-amz-meta-${SOURCE_ETAG_METADATA}`] = normaliseEtag(
    String(source.etag ?? ""),
  );
  const version = source["x-amz-version-id"];
  if (typeof version === "string" && version !== "null") {
    headers[`x-amz-meta-${SOURCE_VERSION_METADATA}`] = version;
  } else delete headers[`x-amz-meta-${SOURCE_VERSION_METADATA}`];

  return headers;
}

interface BulkSource {
  readonly endpoint: BulkEndpoint;
  readonly http: BulkHttp;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
