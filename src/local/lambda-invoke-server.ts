/**
 * A local stand-in for the Lambda Invoke API, so cognito-local can call our
 * trigger handlers as Cognito calls Lambda in AWS:
 * `POST /2015-03-31/functions/<name>/invocations` with the event as JSON.
 */
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import type { Engine } from "./engines/types.ts";
import { LOOPBACK } from "./engines/types.ts";

export type LocalFunction = (event: unknown) => Promise<unknown>;

export interface LambdaInvokeServer extends Engine {
  /** Routes invocations of `name` to `handler`. */
  register(name: string, handler: LocalFunction): void;
}

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;
/** Lambda's own limit for a synchronous invocation payload. */
const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;

export async function startLambdaInvokeServer(
  port = 0,
): Promise<LambdaInvokeServer> {
  const functions = new Map<string, LocalFunction>();

  const server = createServer(async (request, response) => {
    const name = decodeURIComponent(
      INVOKE_PATH.exec(request.url?.split("?")[0] ?? "")?.[1] ?? "",
    );
    const handler = functions.get(name);
    const reply = (status: number, body: unknown, headers = {}) => {
      response.writeHead(status, {
        "content-type": "application/json",
        ...headers,
      });
      response.end(JSON.stringify(body));
    };
    if (request.method !== "POST" || !handler) {
      reply(404, {
        Type: "User",
        message: `Function not found: ${name || request.url}`,
      });
      return;
    }

    try {
      const event = JSON.parse(await readBody(request));
      reply(200, (await handler(event)) ?? null);
    } catch (error) {
      // Lambda reports a handler error with 200 and X-Amz-Function-Error.
      reply(
        200,
        {
          errorType: (error as Error).name,
          errorMessage: (error as Error).message,
        },
        { "x-amz-function-error": "Unhandled" },
      );
    }
  });
  await new Promise<void>((resolve) => server.listen(port, LOOPBACK, resolve));
  const address = server.address() as AddressInfo;

  return {
    endpoint: `http://${LOOPBACK}:${address.port}`,
    register: (name, handler) => functions.set(name, handler),
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_PAYLOAD_BYTES) throw new Error("payload too large");
    chunks.push(chunk as Buffer);
  }

  return Buffer.concat(chunks).toString("utf8");
}
