/** Errors of the local core, each saying what to do about it. */

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

/** The HTTP port is taken by some other program. */
export class LocalCorePortBusyError extends LocalCoreError {
  constructor(
    readonly port: number,
    cause?: unknown,
  ) {
    super(
      `port ${port} is already in use; stop what listens there, or set CORE_PORT to a free port`,
      { cause },
    );
  }
}

/** A helper command names something the running core does not have. */
export class LocalCoreUsageError extends LocalCoreError {}
