/**
 * Options shared by the SDK clients. Kept apart from the client factories so
 * a handler that needs one client does not bundle the others.
 */

/** Static credentials every local engine accepts; s3rver insists on these. */
export const LOCAL_CREDENTIALS = {
  accessKeyId: "S3RVER",
  secretAccessKey: "S3RVER",
};

/**
 * How long a client waits for a service. The SDK's own defaults wait five
 * minutes for a socket that stays silent, so a service that accepts
 * connections and never answers would hold a caller past any deadline it
 * has (API Gateway's 30 s, a Lambda's timeout).
 */
export interface CallLimits {
  /** A connection not made by then counts as unreachable. */
  readonly connectionTimeoutMs: number;
  /** A request with no answer (status and headers) by then is abandoned. */
  readonly requestTimeoutMs: number;
  /** Attempts per call, the first included; the SDK retries the others. */
  readonly maxAttempts: number;
}

/**
 * For a person waiting on an HTTP answer: Cognito, DynamoDB and SQS answer
 * in well under a second, so a call that has not answered in 3 s is treated
 * as an outage. Two attempts bound one call to about 7 s, which leaves time
 * to queue the work and answer 202 inside API Gateway's 30 s.
 */
export const INTERACTIVE_CALL_LIMITS: CallLimits = {
  connectionTimeoutMs: 1_000,
  requestTimeoutMs: 3_000,
  maxAttempts: 2,
};

/**
 * For queue workers and the resync: more patience, since nobody waits on
 * the answer, but a silent service still fails the record (which SQS then
 * redelivers) instead of holding the whole batch until the Lambda times out.
 */
export const BACKGROUND_CALL_LIMITS: CallLimits = {
  connectionTimeoutMs: 3_000,
  requestTimeoutMs: 10_000,
  maxAttempts: 3,
};

/**
 * Options shared by every client pointed at `endpoint` (or at AWS), with
 * `limits` on how long each call may wait when given.
 */
export function clientOptions(
  region: string,
  endpoint: string | undefined,
  limits?: CallLimits,
) {
  return {
    region,
    ...(endpoint ? { endpoint, credentials: LOCAL_CREDENTIALS } : {}),
    ...(limits ? limitOptions(limits) : {}),
  };
}

function limitOptions(limits: CallLimits) {
  return {
    maxAttempts: limits.maxAttempts,
    requestHandler: {
      connectionTimeout: limits.connectionTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      // Without this the SDK only logs a warning when requestTimeout passes.
      throwOnRequestTimeout: true,
    },
  };
}

/**
 * S3 options that also suit R2 and s3rver: path-style addressing, and
 * checksums only where an operation requires them (otherwise streamed
 * uploads are framed as aws-chunked, which R2 and s3rver store verbatim).
 * `limits` suit small objects only (avatars): a streamed CDN copy may
 * rightly wait on one side while the other catches up, so it has none.
 */
export function s3Options(
  region: string,
  endpoint: string | undefined,
  limits?: CallLimits,
) {
  return {
    ...clientOptions(region, endpoint, limits),
    forcePathStyle: Boolean(endpoint),
    requestChecksumCalculation: "WHEN_REQUIRED" as const,
    responseChecksumValidation: "WHEN_REQUIRED" as const,
  };
}
