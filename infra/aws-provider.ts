/**
 * AWS providers for resources that must live outside the stack's region.
 * An explicit provider reads none of the stack's `aws:` configuration, so
 * without these settings it would deploy with other credentials, or with
 * none, than the rest of the stack.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/**
 * The stack's `aws:` settings that say who deploys and through what, not
 * where: `region` is the caller's, and `endpoints` are left out because
 * custom endpoints name the stack's region.
 */
export function stackProviderSettings(): aws.ProviderArgs {
  // Read as secrets, so a key kept with `pulumi config set --secret` is
  // neither warned about nor stored in plain text.
  const credentials = new pulumi.Config("aws");

  return {
    accessKey: credentials.getSecret("accessKey"),
    secretKey: credentials.getSecret("secretKey"),
    token: credentials.getSecret("token"),
    profile: aws.config.profile,
    sharedConfigFiles: aws.config.sharedConfigFiles,
    sharedCredentialsFiles: aws.config.sharedCredentialsFiles,
    assumeRoles: aws.config.assumeRoles,
    assumeRoleWithWebIdentity: aws.config.assumeRoleWithWebIdentity,
    stsRegion: aws.config.stsRegion,
    allowedAccountIds: aws.config.allowedAccountIds,
    forbiddenAccountIds: aws.config.forbiddenAccountIds,
    skipCredentialsValidation: aws.config.skipCredentialsValidation,
    skipRequestingAccountId: aws.config.skipRequestingAccountId,
    skipMetadataApiCheck: aws.config.skipMetadataApiCheck,
    ec2MetadataServiceEndpoint: aws.config.ec2MetadataServiceEndpoint,
    ec2MetadataServiceEndpointMode: aws.config.ec2MetadataServiceEndpointMode,
    customCaBundle: aws.config.customCaBundle,
    httpProxy: aws.config.httpProxy,
    httpsProxy: aws.config.httpsProxy,
    noProxy: aws.config.noProxy,
    insecure: aws.config.insecure,
    maxRetries: aws.config.maxRetries,
    retryMode: aws.config.retryMode,
    useFipsEndpoint: aws.config.useFipsEndpoint,
    defaultTags: aws.config.defaultTags,
    ignoreTags: aws.config.ignoreTags,
  };
}

/** A provider in `region` that deploys as the stack's own provider does. */
export function regionalProvider(region: string): aws.Provider {
  return new aws.Provider(region, { ...stackProviderSettings(), region });
}
