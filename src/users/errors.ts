/** Base class of the errors user sync reports. */
export class UserSyncError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Cognito could not be reached or failed; the sync can be retried. */
export class DirectoryUnavailableError extends UserSyncError {}

/** A sync message that can never succeed, whatever the retries. */
export class InvalidSyncMessageError extends UserSyncError {}
