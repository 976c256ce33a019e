/** Shape shared by AWS SDK v3 service exceptions. */
interface SdkError {
  name?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
}

const THROTTLING = new Set([
  "ThrottlingException",
  "TooManyRequestsException",
  "ProvisionedThroughputExceededException",
  "RequestLimitExceeded",
  "SlowDown",
]);

/**
 * True for failures worth retrying later: the service could not be reached,
 * timed out, throttled us or answered with a 5xx.
 */
export function isTransientAwsError(error: unknown): boolean {
  const sdk = error as SdkError | undefined;
  if (!sdk || typeof sdk !== "object") return false;
  if (sdk.name && THROTTLING.has(sdk.name)) return true;

  const status = sdk.$metadata?.httpStatusCode;
  if (status === undefined) return true;

  return status >= 500;
}

/** True when `error` is the SDK exception called `name`. */
export function isAwsError(error: unknown, name: string): boolean {
  return (error as SdkError | undefined)?.name === name;
}
