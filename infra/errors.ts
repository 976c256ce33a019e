/** Base class of the errors the infrastructure program reports. */
export class InfraError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The stack configuration is unusable; each problem names its key. */
export class InfraConfigError extends InfraError {
  constructor(
    readonly problems: readonly string[],
    options?: ErrorOptions,
  ) {
    super(`Invalid stack configuration:\n  ${problems.join("\n  ")}`, options);
  }
}

/** `dns/records.yaml` is unusable; each problem names its record. */
export class InfraDnsRecordsError extends InfraError {
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
    options?: ErrorOptions,
  ) {
    super(`Invalid ${file}:\n  ${problems.join("\n  ")}`, options);
  }
}

/** A component was given arguments it cannot build anything safe from. */
export class InfraArgumentError extends InfraError {}
