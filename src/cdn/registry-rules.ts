/**
 * What the registry implies for the infrastructure: the sync function's read
 * access and the EventBridge rule. Pure, so Pulumi and tests share them.
 */
import type { Registry } from "./types.ts";

/** An IAM policy document, as `aws.iam.Policy` accepts it. */
export interface PolicyDocument {
  readonly Version: "2012-10-17";
  readonly Statement: readonly PolicyStatement[];
}

export interface PolicyStatement {
  readonly Sid: string;
  readonly Effect: "Allow";
  readonly Action: readonly string[];
  readonly Resource: readonly string[];
}

/** An EventBridge event pattern for S3 object events. */
export interface S3EventPattern {
  readonly source: readonly ["aws.s3"];
  readonly "detail-type": readonly string[];
  readonly detail: { readonly bucket: { readonly name: readonly string[] } };
}

/** The S3 events EventBridge sends that the sync acts on. */
export const SYNC_DETAIL_TYPES = ["Object Created", "Object Deleted"] as const;

/**
 * Read access to the registered buckets only, or undefined when nothing is
 * registered (IAM rejects a policy without statements). The sync sends
 * HeadObject and GetObject for the current version only (`s3:GetObject`;
 * `s3:GetObjectVersion` would be needed only with a VersionId). The
 * backfill lists with ListObjectsV2, and `s3:ListBucket` is also what makes
 * HeadObject answer 404 rather than 403 for a missing key, which is how the
 * sync tells a deleted object.
 */
export function registryPolicyDocument(
  registry: Registry,
): PolicyDocument | undefined {
  if (registry.length === 0) return undefined;

  const buckets = bucketsOf(registry);

  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "ReadRegisteredObjects",
        Effect: "Allow",
        Action: ["s3:GetObject"],
        Resource: buckets.map((bucket) => `arn:aws:s3:::${bucket}/*`),
      },
      {
        Sid: "ListRegisteredBuckets",
        Effect: "Allow",
        Action: ["s3:ListBucket"],
        Resource: buckets.map((bucket) => `arn:aws:s3:::${bucket}`),
      },
    ],
  };
}

/**
 * Object Created and Object Deleted events of the registered buckets, or
 * undefined when nothing is registered (EventBridge rejects empty lists).
 */
export function registryEventPattern(
  registry: Registry,
): S3EventPattern | undefined {
  if (registry.length === 0) return undefined;

  return {
    source: ["aws.s3"],
    "detail-type": [...SYNC_DETAIL_TYPES],
    detail: { bucket: { name: bucketsOf(registry) } },
  };
}

function bucketsOf(registry: Registry): string[] {
  return registry.map((entry) => entry.bucket).sort();
}
