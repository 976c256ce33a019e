/**
 * Options shared by the SDK clients. Kept apart from the client factories so
 * a handler that needs one client does not bundle the others.
 */

/** Static credentials every local engine accepts; s3rver insists on these. */
export const LOCAL_CREDENTIALS = {
  accessKeyId: "S3RVER",
  secretAccessKey: "S3RVER",
};

/** Options shared by every client pointed at `endpoint` (or at AWS). */
export function clientOptions(region: string, endpoint: string | undefined) {
  return endpoint
    ? { region, endpoint, credentials: LOCAL_CREDENTIALS }
    : { region };
}

/**
 * S3 options that also suit R2 and s3rver: path-style addressing, and
 * checksums only where an operation requires them (otherwise streamed
 * uploads are framed as aws-chunked, which R2 and s3rver store verbatim).
 */
export function s3Options(region: string, endpoint: string | undefined) {
  return {
    ...clientOptions(region, endpoint),
    forcePathStyle: Boolean(endpoint),
    requestChecksumCalculation: "WHEN_REQUIRED" as const,
    responseChecksumValidation: "WHEN_REQUIRED" as const,
  };
}
