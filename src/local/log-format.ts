/**
 * The terminal view of the handlers' logs: each Powertools JSON line becomes
 * `HH:MM:SS service message key=value ...`. Keys that could hold an email
 * address are dropped, so the terminal never shows one.
 */
import type { Logger } from "@aws-lambda-powertools/logger";
import type { HttpLogger } from "../http/context.ts";
import type { ConfirmationCode } from "./engines/confirmation-codes.ts";
import type { DeadLetterNotice } from "./queue-poller.ts";

/** Where finished lines go (the terminal, or a test's array). */
export type Print = (line: string) => void;

/** Powertools' own fields and ids too long to help a reader. */
const HIDDEN = new Set([
  "level",
  "message",
  "timestamp",
  "service",
  "sampling_rate",
  "xray_trace_id",
  "cold_start",
  "function_arn",
  "function_name",
  "function_memory_size",
  "function_request_id",
  "messageId",
  "eventId",
  "detailType",
]);

/** One readable line for a structured log record. */
export function formatLogLine(record: Record<string, unknown>): string {
  const time = new Date(String(record.timestamp ?? Date.now()));
  const clock = Number.isNaN(time.getTime())
    ? new Date().toTimeString().slice(0, 8)
    : time.toTimeString().slice(0, 8);
  const level = String(record.level ?? "INFO");
  const fields = Object.entries(record)
    .filter(([name]) => !HIDDEN.has(name) && !/email/i.test(name))
    .map(([name, value]) => `${name}=${shown(value)}`);

  return [
    clock,
    String(record.service ?? "core").padEnd(19),
    level === "INFO" ? "" : `${level} `,
  ]
    .join(" ")
    .concat(String(record.message ?? ""), fields.length ? " " : "")
    .concat(fields.join(" "));
}

function shown(value: unknown): string {
  if (value instanceof Error) return JSON.stringify(value.message);
  if (value && typeof value === "object") {
    const message = (value as { message?: unknown }).message;
    if (typeof message === "string") return JSON.stringify(message);
    return JSON.stringify(value);
  }
  const text = String(value);

  return /\s/.test(text) ? JSON.stringify(text) : text;
}

/** Sends `logger`'s JSON lines through formatLogLine to `print`. */
export function printLogsOf(logger: Logger, print: Print): Logger {
  const sink = (line: string) => {
    try {
      print(formatLogLine(JSON.parse(line) as Record<string, unknown>));
    } catch {
      print(line);
    }
  };
  // Powertools writes through its `console` field; replacing it keeps the
  // handler's own log calls (and their fields) unchanged.
  (logger as unknown as { console: Record<string, Print> }).console = {
    info: sink,
    warn: sink,
    error: sink,
    debug: sink,
    log: sink,
    trace: sink,
  };

  return logger;
}

/** An HTTP app logger printing the same one-line format. */
export function terminalHttpLogger(service: string, print: Print): HttpLogger {
  const line =
    (level: string) => (message: string, attributes: Record<string, unknown>) =>
      print(formatLogLine({ ...attributes, level, message, service }));

  return { info: line("INFO"), warn: line("WARN"), error: line("ERROR") };
}

/** The line for a code cognito-local "sent"; never its email address. */
export function formatConfirmationCode(delivery: ConfirmationCode): string {
  const named = !delivery.username.includes("@");

  return formatLogLine({
    service: "cognito",
    message: `confirmation code ${delivery.code}`,
    ...(named ? { userId: delivery.username } : {}),
  });
}

/** The line for a record about to move to its queue's DLQ. */
export function formatDeadLetter(
  service: string,
  notice: DeadLetterNotice,
): string {
  const { messageId, receiveCount, maxReceiveCount } = notice;

  return formatLogLine({
    service,
    level: "WARN",
    message: `record ${messageId} failed receive ${receiveCount} of ${maxReceiveCount}; it moves to ${notice.deadLetterQueue}`,
    queue: notice.queue,
  });
}
