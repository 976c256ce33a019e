/**
 * A lean signed HTTP transport for object bodies: node:http(s) with
 * keep-alive agents, the SigV4 signer, and errors that say whether a retry
 * can help. Measured faster than fetch (undici) for many small objects.
 */
import http, { type IncomingMessage } from "node:http";
import https from "node:https";
import type { Readable } from "node:stream";
import { CdnCopyError } from "../cdn/backfill-errors.ts";
import type { BulkEndpoint } from "./bulk-endpoint.ts";
import { S3RequestSigner } from "./bulk-signer.ts";

/** Sockets per host; above the copy concurrency so parts never queue. */
const MAX_SOCKETS = 64;
/** Error bodies are XML of a few hundred bytes; never read more. */
const MAX_ERROR_BODY = 4096;

const agents = {
  "http:": new http.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS }),
  "https:": new https.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS }),
};

/** One request; the body is sent as is, with the given content-length. */
export interface BulkRequest {
  readonly method: "GET" | "PUT" | "POST" | "DELETE" | "HEAD";
  readonly url: URL;
  readonly headers?: Record<string, string>;
  readonly body?: Buffer | Readable;
  readonly signal?: AbortSignal;
  /** Names the object in errors. */
  readonly key: string;
}

/** Sends signed requests to one endpoint. */
export class BulkHttp {
  private readonly signer: S3RequestSigner;

  constructor(private readonly target: BulkEndpoint) {
    this.signer = new S3RequestSigner(target.region);
  }

  /**
   * Sends `request` and resolves with the response once its headers
   * arrive. A status of 300 or more rejects with CdnCopyError (its body
   * read and discarded); the caller must consume or destroy a 2xx body.
   */
  async send(request: BulkRequest): Promise<IncomingMessage> {
    const credentials = await this.target.credentials();
    const headers = this.signer.sign(
      {
        method: request.method,
        url: request.url,
        headers: { ...request.headers },
      },
      credentials,
    );
    const agent = agents[request.url.protocol as keyof typeof agents];
    const transport = request.url.protocol === "https:" ? https : http;

    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      const outgoing = transport.request(request.url, {
        method: request.method,
        headers,
        agent,
        signal: request.signal,
      });
      outgoing.once("response", resolve);
      outgoing.once("error", (error) =>
        reject(
          new CdnCopyError(
            request.key,
            `${request.method} failed: ${error.message}`,
            !request.signal?.aborted,
            { cause: error },
          ),
        ),
      );
      const body = request.body;
      if (body === undefined || Buffer.isBuffer(body)) outgoing.end(body);
      else {
        body.once("error", (error) => outgoing.destroy(error));
        body.pipe(outgoing);
      }
    });
    if ((response.statusCode ?? 0) < 300) return response;

    throw await statusError(request, response);
  }
}

async function statusError(
  request: BulkRequest,
  response: IncomingMessage,
): Promise<CdnCopyError> {
  let text = "";
  for await (const chunk of response) {
    if (text.length < MAX_ERROR_BODY) text += String(chunk);
  }
  const code = /<Code>([^<]+)<\/Code>/.exec(text)?.[1];
  const status = response.statusCode ?? 0;
  const retryable = status >= 500 || status === 429;

  return new CdnCopyError(
    request.key,
    `${request.method} answered ${status}${code ? ` ${code}` : ""}`,
    retryable,
    { status },
  );
}
