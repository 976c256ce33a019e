/**
 * Ctrl-C (SIGINT) and SIGTERM for `core dev`, caught from its first line:
 * the first one aborts the start or begins the stop, so cognito-local's
 * child process and the engines are stopped even mid-start; a second one
 * ends the process at once.
 */
import { LocalCoreInterruptedError, signalExitCode } from "../local/errors.ts";

const SIGNALS = ["SIGINT", "SIGTERM"] as const;

export interface Interrupts {
  /** Aborted, with a LocalCoreInterruptedError, at the first signal. */
  readonly signal: AbortSignal;
  /** Resolves at the first signal; at once if it came already. */
  readonly interrupted: Promise<void>;
  /** Removes the handlers. */
  dispose(): void;
}

export function catchInterrupts(): Interrupts {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      process.exit(signalExitCode(name));
    }
    controller.abort(new LocalCoreInterruptedError(name));
  };
  for (const name of SIGNALS) process.on(name, onSignal);
  const interrupted = new Promise<void>((resolve) =>
    controller.signal.addEventListener("abort", () => resolve(), {
      once: true,
    }),
  );

  return {
    signal: controller.signal,
    interrupted,
    dispose: () => {
      for (const name of SIGNALS) process.off(name, onSignal);
    },
  };
}
