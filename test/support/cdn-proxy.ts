/**
 * A tiny HTTP proxy in front of an engine: records each request's method,
 * path and headers, and can play "unreachable" by dropping connections or
 * "slow" by holding requests.
 * Headers (Host included) pass unchanged, so SigV4 signatures still verify
 * behind it.
 */
import {
  createServer,
  request as forward,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import { LOOPBACK } from "../../src/local/engines/types.ts";

export interface ProxiedRequest {
  readonly method: string;
  /** Decoded path without the query string. */
  readonly path: string;
  readonly query: string;
  /** As received; Node lower-cases the names. */
  readonly headers: IncomingHttpHeaders;
}

export interface CdnCountingProxy {
  readonly endpoint: string;
  readonly requests: ProxiedRequest[];
  /** While true, every connection is dropped without an answer. */
  down: boolean;
  /**
   * Requests it matches are recorded but wait, unanswered, until
   * `release()`; a request its client gave up on meanwhile is dropped.
   */
  hold: ((request: ProxiedRequest) => boolean) | undefined;
  /** Stops holding and forwards what was held. */
  release(): void;
  /** Requests with `method` (PUT, POST...) whose path starts with `prefix`. */
  count(method: string, prefix?: string): number;
  stop(): Promise<void>;
}

export async function startCdnCountingProxy(
  target: string,
): Promise<CdnCountingProxy> {
  const targetUrl = new URL(target);
  const server = createServer((incoming, outgoing) => {
    if (proxy.down) {
      incoming.socket.destroy();
      return;
    }
    const url = new URL(incoming.url ?? "/", "http://proxy");
    const recorded = {
      method: incoming.method ?? "GET",
      path: decodeURIComponent(url.pathname),
      query: url.search,
      headers: { ...incoming.headers },
    };
    proxy.requests.push(recorded);
    const send = () => {
      if (!incoming.socket.destroyed) pass(incoming, outgoing);
    };
    if (proxy.hold?.(recorded)) held.push(send);
    else send();
  });
  const held: Array<() => void> = [];
  const pass = (incoming: IncomingMessage, outgoing: ServerResponse) => {
    const upstream = forward(
      {
        host: targetUrl.hostname,
        port: targetUrl.port,
        method: incoming.method,
        path: incoming.url,
        headers: incoming.headers,
      },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    upstream.on("error", () => outgoing.destroy());
    incoming.pipe(upstream);
  };
  await new Promise<void>((resolve) => server.listen(0, LOOPBACK, resolve));
  const { port } = server.address() as AddressInfo;

  const proxy: CdnCountingProxy = {
    endpoint: `http://${LOOPBACK}:${port}`,
    requests: [],
    down: false,
    hold: undefined,
    release() {
      proxy.hold = undefined;
      for (const send of held.splice(0)) send();
    },
    count(method, prefix = "") {
      return proxy.requests.filter(
        (request) =>
          request.method === method && request.path.startsWith(prefix),
      ).length;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };

  return proxy;
}
