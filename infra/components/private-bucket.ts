/**
 * An S3 bucket that can only be private: public access blocked, owner-only
 * objects (no ACLs), encrypted at rest, reachable over TLS only, versioned,
 * with old versions expiring and S3 events sent to EventBridge.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { InfraArgumentError } from "../errors.ts";

export interface PrivateBucketArgs {
  readonly bucketName: string;
  /** Days a replaced or deleted version is kept before it expires. */
  readonly noncurrentVersionDays: number;
  /** Abandoned multipart uploads cost storage until aborted. */
  readonly abortUploadsAfterDays?: number;
  readonly protect?: boolean;
}

/** A private, encrypted, TLS-only, versioned bucket. */
export class PrivateBucket extends pulumi.ComponentResource {
  readonly bucket: aws.s3.Bucket;

  constructor(
    name: string,
    args: PrivateBucketArgs,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    if (args.noncurrentVersionDays < 1) {
      throw new InfraArgumentError(
        `${name}: noncurrentVersionDays must be >= 1`,
      );
    }
    super("api-core:s3:PrivateBucket", name, {}, opts);

    const child = { parent: this };
    this.bucket = new aws.s3.Bucket(
      name,
      { bucket: args.bucketName },
      { ...child, protect: args.protect ?? false },
    );
    const bucket = this.bucket.id;
    const access = new aws.s3.BucketPublicAccessBlock(
      `${name}-public-access`,
      {
        bucket,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
      child,
    );
    new aws.s3.BucketOwnershipControls(
      `${name}-ownership`,
      { bucket, rule: { objectOwnership: "BucketOwnerEnforced" } },
      child,
    );
    new aws.s3.BucketServerSideEncryptionConfiguration(
      `${name}-encryption`,
      {
        bucket,
        rules: [
          {
            applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" },
            bucketKeyEnabled: true,
          },
        ],
      },
      child,
    );
    new aws.s3.BucketPolicy(
      `${name}-tls-only`,
      { bucket, policy: tlsOnlyPolicy(this.bucket.arn) },
      // S3 rejects a policy while the public access block is being set.
      { ...child, dependsOn: [access] },
    );
    const versioning = new aws.s3.BucketVersioning(
      `${name}-versioning`,
      { bucket, versioningConfiguration: { status: "Enabled" } },
      child,
    );
    new aws.s3.BucketLifecycleConfiguration(
      `${name}-lifecycle`,
      {
        bucket,
        rules: [
          {
            id: "expire-old-versions",
            status: "Enabled",
            filter: {},
            noncurrentVersionExpiration: {
              noncurrentDays: args.noncurrentVersionDays,
            },
            expiration: { expiredObjectDeleteMarker: true },
            abortIncompleteMultipartUpload: {
              daysAfterInitiation: args.abortUploadsAfterDays ?? 7,
            },
          },
        ],
      },
      { ...child, dependsOn: [versioning] },
    );
    new aws.s3.BucketNotification(
      `${name}-events`,
      { bucket, eventbridge: true },
      child,
    );

    this.registerOutputs({ bucket: this.bucket.id, arn: this.bucket.arn });
  }
}

/** Denies every request that does not arrive over TLS. */
function tlsOnlyPolicy(bucketArn: pulumi.Output<string>) {
  return pulumi.jsonStringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [bucketArn, pulumi.interpolate`${bucketArn}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ],
  });
}
