/**
 * Serves the app on a Node HTTP server bound to loopback, for the local
 * core and end-to-end tests. No Lambda event ever reaches the app here, so
 * callers can only be identified by a bearer token the app verifies.
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import type { Hono } from "hono";
import type { AppEnv } from "./context.ts";

const LOOPBACK = "127.0.0.1";

/** A running server: its base URL and how to stop it. */
export interface RunningServer {
  /** e.g. `http://127.0.0.1:4567`, without a trailing slash. */
  readonly url: string;
  stop(): Promise<void>;
}

/** Starts `app` on 127.0.0.1:`port` (0, the default, picks a free port). */
export function serveApp(
  app: Hono<AppEnv>,
  options: { port?: number } = {},
): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    const server = serve(
      {
        // Bindings are deliberately dropped: see the module comment.
        fetch: (request) => app.fetch(request),
        port: options.port ?? 0,
        hostname: LOOPBACK,
      },
      (info: AddressInfo) => {
        server.off("error", reject);
        resolve({
          url: `http://${LOOPBACK}:${info.port}`,
          stop: () => stopServer(server as Server),
        });
      },
    );
    server.once("error", reject);
  });
}

function stopServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}
