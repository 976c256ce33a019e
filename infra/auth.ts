/**
 * Sign-in: the user pool, the `admin` group, the website client, the hosted
 * sign-in domain `auth.<domain>` and the post-authentication trigger.
 */
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { regionalProvider } from "./aws-provider.ts";
import { LambdaFunction } from "./components/lambda-function.ts";
import { ValidatedCertificate } from "./components/validated-certificate.ts";
import { type DeployContext, powertoolsEnvironment } from "./context.ts";
import { dnsRecord } from "./dns.ts";
import type { MailIdentity } from "./email.ts";
import type { UserSyncStorage } from "./user-sync.ts";

/** Cognito gives a trigger 5 s to answer (Cognito developer guide). */
export const COGNITO_TRIGGER_DEADLINE_SECONDS = 5;

/** The pool's password policy, also published for other services. */
export const PASSWORD_POLICY = {
  minimumLength: 12,
  requireLowercase: true,
  requireUppercase: true,
  requireNumbers: true,
  requireSymbols: false,
  temporaryPasswordValidityDays: 7,
} as const;

/** Scopes the website asks for. */
export const WEBSITE_SCOPES = ["openid", "profile", "email"];

export interface Auth {
  readonly pool: aws.cognito.UserPool;
  readonly websiteClient: aws.cognito.UserPoolClient;
  readonly signInDomain: string;
}

/**
 * The pool with its trigger, group, client and domain. `apexRecords` must
 * exist first: Cognito refuses a custom domain whose parent does not
 * resolve.
 */
export function createAuth(
  context: DeployContext,
  mail: MailIdentity,
  storage: UserSyncStorage,
  apexRecords: readonly pulumi.Resource[],
): Auth {
  const { config, prefix } = context;
  const trigger = new LambdaFunction("post-authentication", {
    handler: "post-authentication",
    functionName: `${prefix}-post-authentication`,
    description: "Enqueues a user sync after each sign-in",
    environment: {
      ...powertoolsEnvironment(),
      SYNC_QUEUE_URL: storage.syncQueue.queue.url,
    },
    statements: [
      {
        Sid: "EnqueueSync",
        Effect: "Allow",
        Action: ["sqs:SendMessage"],
        Resource: [storage.syncQueue.queue.arn],
      },
    ],
    logRetentionDays: config.logRetentionDays,
    timeoutSeconds: COGNITO_TRIGGER_DEADLINE_SECONDS,
    codeDir: context.codeDir,
  });

  const pool = new aws.cognito.UserPool(
    "user-pool",
    {
      name: `${prefix}-users`,
      usernameAttributes: ["email"],
      autoVerifiedAttributes: ["email"],
      userAttributeUpdateSettings: {
        attributesRequireVerificationBeforeUpdates: ["email"],
      },
      mfaConfiguration: "OPTIONAL",
      softwareTokenMfaConfiguration: { enabled: true },
      accountRecoverySetting: {
        recoveryMechanisms: [{ name: "verified_email", priority: 1 }],
      },
      passwordPolicy: PASSWORD_POLICY,
      schemas: [
        {
          name: "enable_gravatar",
          attributeDataType: "Boolean",
          mutable: true,
          required: false,
        },
      ],
      deletionProtection: config.production ? "ACTIVE" : "INACTIVE",
      emailConfiguration: {
        emailSendingAccount: "DEVELOPER",
        fromEmailAddress: mail.fromAddress,
        sourceArn: mail.identityArn,
      },
      lambdaConfig: { postAuthentication: trigger.arn },
    },
    // Cognito rejects mail settings whose SES identity is not verified.
    { protect: config.production, dependsOn: [mail.verified] },
  );
  new aws.lambda.Permission("post-authentication-invoke", {
    action: "lambda:InvokeFunction",
    function: trigger.name,
    principal: "cognito-idp.amazonaws.com",
    sourceArn: pool.arn,
  });
  new aws.cognito.UserGroup("admin-group", {
    name: "admin",
    userPoolId: pool.id,
    description: "Administrators of the platform",
  });

  const websiteClient = createWebsiteClient(context, pool);
  const signInDomain = createSignInDomain(context, pool, apexRecords);

  return { pool, websiteClient, signInDomain };
}

/**
 * A public client (no secret) for the authorization-code flow. Cognito
 * checks PKCE whenever the website sends a code challenge, which it must.
 */
function createWebsiteClient(
  context: DeployContext,
  pool: aws.cognito.UserPool,
): aws.cognito.UserPoolClient {
  return new aws.cognito.UserPoolClient("website-client", {
    name: `${context.prefix}-website`,
    userPoolId: pool.id,
    generateSecret: false,
    allowedOauthFlowsUserPoolClient: true,
    allowedOauthFlows: ["code"],
    allowedOauthScopes: WEBSITE_SCOPES,
    supportedIdentityProviders: ["COGNITO"],
    callbackUrls: context.config.callbackUrls,
    logoutUrls: context.config.logoutUrls,
    explicitAuthFlows: ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    preventUserExistenceErrors: "ENABLED",
    enableTokenRevocation: true,
    readAttributes: [
      "email",
      "email_verified",
      "name",
      "nickname",
      "picture",
      "custom:enable_gravatar",
    ],
    writeAttributes: ["email", "name", "nickname", "custom:enable_gravatar"],
  });
}

/** `auth.<domain>` with a us-east-1 certificate (CloudFront requires it). */
function createSignInDomain(
  context: DeployContext,
  pool: aws.cognito.UserPool,
  apexRecords: readonly pulumi.Resource[],
): string {
  const host = `auth.${context.config.domain}`;
  const usEast1 = regionalProvider("us-east-1");
  const certificate = new ValidatedCertificate(
    "auth-certificate",
    { domainName: host, zone: context.zone },
    { providers: { aws: usEast1 } },
  );
  const domain = new aws.cognito.UserPoolDomain(
    "auth-domain",
    {
      domain: host,
      userPoolId: pool.id,
      certificateArn: certificate.arn,
      managedLoginVersion: 1,
    },
    { dependsOn: [...apexRecords] },
  );
  dnsRecord("auth-cname", context.zone, {
    name: host,
    type: "CNAME",
    content: domain.cloudfrontDistribution,
    proxied: false,
    comment: "Cognito hosted sign-in (CloudFront)",
  });

  return host;
}
