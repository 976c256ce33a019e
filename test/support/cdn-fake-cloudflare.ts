/**
 * A stand-in for the Cloudflare API's purge endpoint, on 127.0.0.1. It
 * records each call and answers like the real API, or fails on demand.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { LOOPBACK } from "../../src/local/engines/types.ts";

export interface PurgeCall {
  readonly path: string;
  readonly authorization: string | undefined;
  readonly files: string[];
}

export interface FakeCloudflare {
  /** Base URL to pass as CLOUDFLARE_API_BASE_URL. */
  readonly baseUrl: string;
  readonly calls: PurgeCall[];
  /** HTTP status to answer with; 200 means success. */
  status: number;
  stop(): Promise<void>;
}

export async function startFakeCloudflare(): Promise<FakeCloudflare> {
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString() || "{}");
    fake.calls.push({
      path: request.url ?? "",
      authorization: request.headers.authorization,
      files: body.files ?? [],
    });
    const ok = fake.status === 200;
    response.writeHead(fake.status, { "content-type": "application/json" });
    response.end(
      JSON.stringify({
        success: ok,
        errors: ok ? [] : [{ code: 1000, message: "purge refused" }],
        messages: [],
        result: ok ? { id: "purge-id" } : null,
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, LOOPBACK, resolve));
  const { port } = server.address() as AddressInfo;

  const fake: FakeCloudflare = {
    baseUrl: `http://${LOOPBACK}:${port}/client/v4`,
    calls: [],
    status: 200,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };

  return fake;
}
