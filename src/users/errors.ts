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

/** The users table could not be read or written. */
export class UserStoreError extends UserSyncError {}

/** The sync queue refused a message or did not answer in time. */
export class SyncQueueError extends UserSyncError {}

/** The avatars bucket failed a request; the sync can be retried. */
export class AvatarStoreError extends UserSyncError {
  constructor(
    message: string,
    /** The store operation that failed: put, list or delete. */
    readonly operation: "put" | "list" | "delete",
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
