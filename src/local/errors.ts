/** Errors of the local core, each saying what to do about it. */
import { constants } from "node:os";
import { ENGINE_PORT_COUNT } from "./ports.ts";

/** Base error of the local core. */
export class LocalCoreError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Another local core holds the home folder. */
export class LocalCoreRunningError extends LocalCoreError {
  constructor(
    readonly home: string,
    readonly pid: number,
  ) {
    super(
      `a local core is already running from ${home} (process ${pid}); stop it with Ctrl-C, or set CORE_HOME to another folder`,
    );
  }
}

/** Another local core, from another home folder, serves CORE_PORT. */
export class LocalCoreRunningElsewhereError extends LocalCoreError {
  constructor(
    readonly api: string,
    readonly home: string,
    readonly pid: number,
  ) {
    super(
      `a local core is already running at ${api} (home: ${home}); stop it with Ctrl-C, or set CORE_PORT to run another beside it`,
    );
  }
}

/** A port the core or one of its engines needs is taken by another program. */
export class LocalCorePortBusyError extends LocalCoreError {
  constructor(
    readonly port: number,
    readonly user: string,
    corePort: number,
    cause?: unknown,
  ) {
    super(
      `port ${port} (for ${user}) is already in use; stop what listens there, or set CORE_PORT to a port whose next ${ENGINE_PORT_COUNT} ports are free too (now ${corePort})`,
      { cause },
    );
  }
}

/** A signal came while the core was starting; what had started is stopped. */
export class LocalCoreInterruptedError extends LocalCoreError {
  constructor(readonly signal: NodeJS.Signals) {
    super(`start-up interrupted by ${signal}; what had started is stopped`);
  }

  /** The exit code of a process ended by the signal. */
  get exitCode(): number {
    return signalExitCode(this.signal);
  }
}

/** What a shell reports for a process ended by `signal`: 128 + its number. */
export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + constants.signals[signal];
}

/** A helper command names something the running core does not have. */
export class LocalCoreUsageError extends LocalCoreError {}

/** endpoints.json exists, but the core it names no longer answers. */
export class LocalCoreNotAnsweringError extends LocalCoreError {
  constructor(
    readonly home: string,
    address: string,
    cause?: unknown,
  ) {
    super(
      `the local core of ${home} does not answer${address ? ` at ${address}` : ""}; it stopped without removing its endpoints.json (start it again with \`npm start\`)`,
      { cause },
    );
  }
}
