import { createObservability } from "../../src/handlers/observability.ts";

/**
 * Real Powertools logger and metrics whose output the test can read; the
 * logger prints one JSON line per call through console methods.
 */
export function captureObservability(service: string) {
  const observability = createObservability(service);
  const lines: Record<string, unknown>[] = [];
  const logger = observability.logger as unknown as {
    console: Record<string, (line: string) => void>;
  };
  const sink = (line: string) => lines.push(JSON.parse(line));
  logger.console = {
    info: sink,
    warn: sink,
    error: sink,
    debug: sink,
    log: sink,
    trace: sink,
  };

  return { observability, lines, text: () => JSON.stringify(lines) };
}
