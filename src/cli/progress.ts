/**
 * A progress bar on a terminal, nothing when output is piped or in CI, so
 * logs stay readable.
 */
import { SingleBar } from "cli-progress";

export interface Progress {
  update(done: number, values?: Record<string, string | number>): void;
  stop(): void;
}

export function startProgress(
  format: string,
  total: number,
  stream: NodeJS.WriteStream = process.stderr,
): Progress {
  if (!stream.isTTY) return { update() {}, stop() {} };

  const bar = new SingleBar({
    format,
    stream,
    hideCursor: true,
    clearOnComplete: false,
    etaBuffer: 50,
  });
  bar.start(total, 0);

  return {
    update: (done, values) => {
      if (done > bar.getTotal()) bar.setTotal(done);
      bar.update(done, values);
    },
    stop: () => bar.stop(),
  };
}

/** Prints rows as an aligned two-column table. */
export function printTable(
  rows: ReadonlyArray<readonly [string, string | number]>,
  write: (line: string) => void = console.log,
): void {
  const width = Math.max(...rows.map(([label]) => label.length));
  for (const [label, value] of rows) write(`${label.padEnd(width)}  ${value}`);
}
