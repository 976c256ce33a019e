/**
 * Errors of backfill and verify. They extend the area's base error from
 * errors.ts, which the sync owns, so callers can catch every CDN problem
 * as one type.
 */
import { CdnError } from "./errors.ts";

/** A `--dir` names no registered directory. */
export class CdnUnknownDirError extends CdnError {
  constructor(
    readonly dirs: readonly string[],
    readonly registered: readonly string[],
  ) {
    const known = registered.length > 0 ? registered.join(", ") : "none";
    super(
      `No registered directory ${dirs.join(", ")}; registered directories: ${known}`,
    );
  }
}

/** A bucket or the R2 directory could not be listed. */
export class CdnListingError extends CdnError {
  constructor(
    readonly bucket: string,
    readonly prefix: string,
    options?: ErrorOptions,
  ) {
    const where = prefix ? `${bucket}/${prefix}` : bucket;
    const cause = options?.cause instanceof Error ? options.cause.name : "";
    super(`Could not list ${where}${cause ? `: ${cause}` : ""}`, options);
  }
}

/** One object could not be copied; the message names the step and status. */
export class CdnCopyError extends CdnError {
  constructor(
    readonly key: string,
    message: string,
    readonly retryable: boolean,
    options?: ErrorOptions & { status?: number },
  ) {
    super(`${key}: ${message}`, options);
    this.status = options?.status;
  }

  /** The HTTP status that caused it, when there was an answer. */
  readonly status: number | undefined;

  /** True when the source answered that the object does not exist. */
  get sourceGone(): boolean {
    return this.status === 404;
  }
}
