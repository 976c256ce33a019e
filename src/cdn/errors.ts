/** Base class of the errors the CDN sync reports. */
export class CdnError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** One problem found in the registry, with the parameters it involves. */
export interface RegistryProblem {
  readonly parameters: readonly string[];
  readonly message: string;
}

/** The registry parameters are unusable; nothing is mirrored until fixed. */
export class CdnRegistryError extends CdnError {
  constructor(
    readonly problems: readonly RegistryProblem[],
    options?: ErrorOptions,
  ) {
    const lines = problems.map(
      (problem) => `${problem.parameters.join(", ")}: ${problem.message}`,
    );
    super(`Invalid CDN registry:\n  ${lines.join("\n  ")}`, options);
  }
}

/**
 * A key that can never be mirrored (empty, `.` or `..` segments, too long
 * for R2). Retrying cannot help, so the sync skips it with a warning.
 */
export class CdnKeyRefusedError extends CdnError {
  constructor(
    readonly dir: string,
    readonly key: string,
    readonly reason: string,
  ) {
    super(`Refused key under ${dir}/: ${reason}`);
  }
}

/** An event that is not a usable EventBridge S3 event. */
export class CdnInvalidEventError extends CdnError {}

/**
 * The R2 credentials secret is missing, not JSON, or lacks fields. Only
 * field names are reported, never values.
 */
export class CdnSecretError extends CdnError {
  constructor(
    readonly secretName: string,
    readonly problem: "missing" | "not-json" | "missing-fields",
    /** Every required field when the secret is missing or not JSON. */
    readonly missingFields: readonly string[],
    options?: ErrorOptions,
  ) {
    const fields = missingFields.join(", ");
    const message =
      problem === "missing-fields"
        ? `Secret ${secretName} lacks the fields ${fields}`
        : `Secret ${secretName} ${problem === "missing" ? "does not exist" : "is not a JSON object"}; it must be a JSON object with the fields ${fields}`;
    super(message, options);
  }
}

/** The registry could not be read from SSM; the event can be retried. */
export class CdnRegistryUnavailableError extends CdnError {}

/** The source bucket could not be read; the event can be retried. */
export class CdnSourceUnavailableError extends CdnError {}

/** R2 could not be read or written; the event can be retried. */
export class CdnTargetUnavailableError extends CdnError {}

/**
 * R2 refused the access key: unknown or revoked, wrong secret, or without
 * permission. The keys were probably rotated, so the sync drops its cached
 * secret and the retry signs with the current one.
 */
export class CdnR2CredentialsRejectedError extends CdnTargetUnavailableError {}

/** The Cloudflare cache purge failed; logged and counted, not retried. */
export class CdnPurgeError extends CdnError {}
