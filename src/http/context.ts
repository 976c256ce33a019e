/**
 * What every route shares: the Hono environment type, the request id, and
 * the logger interface (satisfied by the Powertools logger in Lambda and by
 * a one-line JSON console logger elsewhere).
 */
import type { Context } from "hono";

/** Structured logging; `attributes` never hold tokens or email addresses. */
export interface HttpLogger {
  info(message: string, attributes: Record<string, unknown>): void;
  warn(message: string, attributes: Record<string, unknown>): void;
  error(message: string, attributes: Record<string, unknown>): void;
}

/** Hono environment of the app: bindings vary by host, so left open. */
export interface AppEnv {
  Bindings: { event?: unknown } | undefined;
  Variables: { requestId: string };
}

export type AppContext = Context<AppEnv>;

/** The Lambda event when the app runs behind hono/aws-lambda. */
export function lambdaEventOf(c: AppContext): unknown {
  const env = c.env as { event?: unknown } | undefined;

  return env?.event;
}

/** API Gateway's request id when there is one, so logs match its logs. */
export function newRequestId(c: AppContext): string {
  const event = lambdaEventOf(c) as
    | { requestContext?: { requestId?: unknown } }
    | undefined;
  const id = event?.requestContext?.requestId;

  return typeof id === "string" && id !== "" ? id : crypto.randomUUID();
}

/** Writes one JSON object per line: stdout for info, stderr otherwise. */
export const consoleJsonLogger: HttpLogger = {
  info: (message, attributes) => write("INFO", message, attributes),
  warn: (message, attributes) => write("WARN", message, attributes),
  error: (message, attributes) => write("ERROR", message, attributes),
};

function write(
  level: string,
  message: string,
  attributes: Record<string, unknown>,
): void {
  const line = JSON.stringify({
    level,
    message,
    timestamp: new Date().toISOString(),
    ...attributes,
  });
  if (level === "INFO") console.log(line);
  else console.error(line);
}

/** An error as a log attribute: its name, message and chain of causes. */
export function describeError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: String(error) };

  return {
    name: error.name,
    message: error.message,
    ...(error.cause === undefined ? {} : { cause: describeError(error.cause) }),
  };
}
