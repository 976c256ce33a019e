/** The S3 API client for Cloudflare R2. */
import { S3Client } from "@aws-sdk/client-s3";
import type { R2Credentials } from "../aws/cdn-secret.ts";

/** R2's S3 API lives on a per-account host. */
export function r2Endpoint(accountId: string): string {
  return `https://${accountId}.r2.cloudflarestorage.com`;
}

/**
 * A client for R2 with `credentials`, or for `endpointOverride` (s3rver in
 * the local core and tests) with path-style addressing. Checksums are sent
 * only where an operation requires them: R2 rejects some checksum headers
 * and would store aws-chunked framing verbatim.
 */
export function createR2Client(
  credentials: R2Credentials,
  endpointOverride?: string,
): S3Client {
  return new S3Client({
    region: "auto",
    endpoint: endpointOverride ?? r2Endpoint(credentials.accountId),
    forcePathStyle: Boolean(endpointOverride),
    credentials: {
      accessKeyId: credentials.r2AccessKeyId,
      secretAccessKey: credentials.r2SecretAccessKey,
    },
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
}
