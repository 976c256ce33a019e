/**
 * What each area's resources receive, for the example stack
 * (`Pulumi.dev.yaml`, zone "create", domain example.com).
 */
import { beforeAll, describe, expect, test } from "vitest";
import { PASSWORD_POLICY } from "../../infra/auth.ts";
import {
  ACCOUNT_ID,
  named,
  ofType,
  POOL_ID,
  plain,
  policyOf,
  REGION,
  type Recorded,
} from "./pulumi-harness.ts";
import { runCore } from "./run-core.ts";

const POOL_ARN = `arn:aws:cognito-idp:${REGION}:${ACCOUNT_ID}:userpool/${POOL_ID}`;
const AVATARS = `core-dev-avatars-${ACCOUNT_ID}-${REGION}`;
const arnOf = (service: string, resource: string) =>
  `arn:aws:${service}:${REGION}:${ACCOUNT_ID}:${resource}`;

let recorded: Recorded[];

beforeAll(async () => {
  ({ recorded } = await runCore());
});

const inputsOf = (name: string) => named(recorded, name).inputs;
const statementsOf = (name: string) =>
  policyOf(inputsOf(`${name}-policy`).policy).Statement;
const record = (name: string) =>
  ofType(recorded, "cloudflare:index/dnsRecord:DnsRecord").find(
    (resource) => resource.name === name,
  )?.inputs;

describe("auth", () => {
  test("the pool signs in by verified email with optional TOTP and SES mail", () => {
    expect(inputsOf("user-pool")).toMatchObject({
      usernameAttributes: ["email"],
      autoVerifiedAttributes: ["email"],
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
        },
      ],
      deletionProtection: "INACTIVE",
      emailConfiguration: {
        emailSendingAccount: "DEVELOPER",
        fromEmailAddress: "noreply@example.com",
        sourceArn: arnOf("ses", "identity/example.com"),
      },
      lambdaConfig: {
        postAuthentication: arnOf(
          "lambda",
          "function:core-dev-post-authentication",
        ),
      },
    });
  });

  test("Cognito may invoke the trigger, which may only enqueue", () => {
    expect(inputsOf("post-authentication-invoke")).toMatchObject({
      action: "lambda:InvokeFunction",
      principal: "cognito-idp.amazonaws.com",
      sourceArn: POOL_ARN,
    });
    expect(statementsOf("post-authentication")[0]).toEqual({
      Sid: "EnqueueSync",
      Effect: "Allow",
      Action: ["sqs:SendMessage"],
      Resource: [arnOf("sqs", "core-dev-user-sync")],
    });
    expect(inputsOf("post-authentication-function").timeout).toBe(5);
  });

  test("the website client uses the code flow without a secret", () => {
    expect(inputsOf("admin-group")).toMatchObject({ name: "admin" });
    expect(inputsOf("website-client")).toMatchObject({
      generateSecret: false,
      allowedOauthFlowsUserPoolClient: true,
      allowedOauthFlows: ["code"],
      allowedOauthScopes: ["openid", "profile", "email"],
      callbackUrls: [
        "https://www.example.com/auth/callback",
        "http://localhost:5173/auth/callback",
      ],
      logoutUrls: ["https://www.example.com/", "http://localhost:5173/"],
    });
  });

  test("auth.<domain> uses a us-east-1 certificate and an unproxied CNAME", () => {
    const certificate = named(recorded, "auth-certificate");
    expect(certificate.type).toBe("aws:acm/certificate:Certificate");
    expect(certificate.inputs).toMatchObject({
      domainName: "auth.example.com",
      validationMethod: "DNS",
    });
    expect(certificate.provider).toContain("us-east-1");
    expect(named(recorded, "us-east-1").inputs.region).toBe("us-east-1");
    expect(record("auth-certificate-validation")).toMatchObject({
      name: "_v.auth.example.com",
      type: "CNAME",
      content: "_w.acm-validations.aws",
      proxied: false,
    });
    expect(inputsOf("auth-domain")).toMatchObject({
      domain: "auth.example.com",
      userPoolId: POOL_ID,
    });
    expect(record("auth-cname")).toMatchObject({
      name: "auth.example.com",
      content: "d1234.cloudfront.net",
      proxied: false,
    });
  });
});

describe("user sync", () => {
  test("the users table is on demand, recoverable, protected and encrypted", () => {
    expect(inputsOf("users-table")).toMatchObject({
      name: "core-dev-users",
      billingMode: "PAY_PER_REQUEST",
      hashKey: "id",
      pointInTimeRecovery: { enabled: true },
      deletionProtectionEnabled: true,
      serverSideEncryption: { enabled: true },
    });
  });

  test("the worker reports batch item failures from the sync queue", () => {
    expect(inputsOf("sync-worker-queue")).toMatchObject({
      functionName: arnOf("lambda", "function:core-dev-sync-worker"),
      eventSourceArn: arnOf("sqs", "core-dev-user-sync"),
      functionResponseTypes: ["ReportBatchItemFailures"],
    });
    expect(inputsOf("sync-queue").visibilityTimeoutSeconds).toBe(360);
  });

  test("the worker reaches only the pool, the table and the avatars", () => {
    const resources = statementsOf("sync-worker")
      .filter((statement) => statement.Sid !== "WriteTraces")
      .flatMap((statement) => statement.Resource);

    expect(resources).toEqual([
      POOL_ARN,
      arnOf("dynamodb", "table/core-dev-users"),
      `arn:aws:s3:::${AVATARS}/*`,
      `arn:aws:s3:::${AVATARS}`,
      arnOf("sqs", "core-dev-user-sync"),
      arnOf("logs", "log-group:/aws/lambda/core-dev-sync-worker:*"),
    ]);
  });

  test("the nightly resync prunes, started by a scheduler role that may only invoke it or set it aside", () => {
    const deadLetters = arnOf("sqs", "core-dev-resync-schedule-dlq");

    expect(inputsOf("resync-schedule")).toMatchObject({
      scheduleExpression: "cron(0 3 * * ? *)",
      target: {
        arn: arnOf("lambda", "function:core-dev-resync"),
        input: JSON.stringify({ prune: true }),
        retryPolicy: {
          maximumEventAgeInSeconds: 3600,
          maximumRetryAttempts: 2,
        },
        deadLetterConfig: { arn: deadLetters },
      },
    });
    expect(
      policyOf(inputsOf("resync-schedule-policy").policy).Statement,
    ).toEqual([
      {
        Sid: "InvokeResync",
        Effect: "Allow",
        Action: ["lambda:InvokeFunction"],
        Resource: [arnOf("lambda", "function:core-dev-resync")],
      },
      {
        Sid: "SetAsideUndeliveredResync",
        Effect: "Allow",
        Action: ["sqs:SendMessage"],
        Resource: [deadLetters],
      },
    ]);
  });

  test("a resync that never started waits 14 days in an encrypted standard queue", () => {
    expect(inputsOf("resync-schedule-dlq")).toEqual({
      name: "core-dev-resync-schedule-dlq",
      messageRetentionSeconds: 1_209_600,
      sqsManagedSseEnabled: true,
    });
  });

  test("the avatars bucket keeps versions, expires old ones and is registered", () => {
    expect(inputsOf("avatars-versioning").versioningConfiguration).toEqual({
      status: "Enabled",
    });
    expect(inputsOf("avatars-lifecycle").rules[0]).toMatchObject({
      status: "Enabled",
      noncurrentVersionExpiration: { noncurrentDays: 30 },
    });
    expect(inputsOf("avatars-events")).toEqual({
      bucket: AVATARS,
      eventbridge: true,
    });
    const registration = inputsOf("avatars-registration");
    expect(registration).toMatchObject({
      name: "/cdn-bucket/avatars",
      type: "String",
    });
    expect(plain(registration.value)).toBe(AVATARS);
    expect(
      inputsOf("sync-worker-function").environment.variables,
    ).toMatchObject({
      USER_POOL_ID: POOL_ID,
      USERS_TABLE: "core-dev-users",
      AVATARS_BUCKET: AVATARS,
      CDN_BASE_URL: "https://cdn.example.com",
    });
  });
});

describe("HTTP API", () => {
  test("a JWT authorizer trusts the pool for the website client only", () => {
    expect(inputsOf("http-api-jwt")).toMatchObject({
      authorizerType: "JWT",
      identitySources: ["$request.header.Authorization"],
      jwtConfiguration: {
        issuer: `https://cognito-idp.${REGION}.amazonaws.com/${POOL_ID}`,
        audiences: ["website-client-id"],
      },
    });
  });

  test("sync routes need a token; profile reads are public", () => {
    const routes = ofType(recorded, "aws:apigatewayv2/route:Route")
      .map(({ inputs }) => [inputs.routeKey, inputs.authorizationType])
      .sort((a, b) => (a[0] < b[0] ? -1 : 1));

    expect(routes).toEqual([
      ["GET /v1/auth/sync", "JWT"],
      ["GET /v1/users", "NONE"],
      ["GET /v1/users/{id}", "NONE"],
      ["POST /v1/auth/sync", "JWT"],
    ]);
  });

  test("CORS and throttling come from configuration", () => {
    expect(inputsOf("http-api").corsConfiguration.allowOrigins).toEqual([
      "https://www.example.com",
      "http://localhost:5173",
    ]);
    expect(inputsOf("http-api-stage").defaultRouteSettings).toEqual({
      throttlingBurstLimit: 100,
      throttlingRateLimit: 50,
    });
    expect(inputsOf("api-function").environment.variables).toMatchObject({
      COGNITO_CLIENT_IDS: "website-client-id",
      CORS_ORIGINS: "https://www.example.com,http://localhost:5173",
    });
  });

  test("api.<domain> maps the API at its root behind a proxied CNAME", () => {
    expect(inputsOf("api-domain").domainNameConfiguration).toMatchObject({
      endpointType: "REGIONAL",
      securityPolicy: "TLS_1_2",
      certificateArn: `arn:aws:acm:${REGION}:${ACCOUNT_ID}:certificate/api-certificate`,
    });
    expect(inputsOf("api-mapping").apiMappingKey).toBeUndefined();
    expect(record("api-cname")).toMatchObject({
      name: "api.example.com",
      content: "d-api.execute-api.eu-west-1.amazonaws.com",
      proxied: true,
    });
    expect(inputsOf("http-api-invoke").sourceArn).toBe(
      `${arnOf("execute-api", "api123")}/*/*`,
    );
  });
});

describe("email", () => {
  test("SES signs with 2048-bit Easy DKIM, published as three CNAMEs", () => {
    expect(inputsOf("mail")).toEqual({
      emailIdentity: "example.com",
      dkimSigningAttributes: { nextSigningKeyLength: "RSA_2048_BIT" },
    });
    for (const index of [1, 2, 3]) {
      expect(record(`mail-dkim-${index}`)).toMatchObject({
        name: `dkim${index}._domainkey.example.com`,
        type: "CNAME",
        content: `dkim${index}.dkim.amazonses.com`,
        proxied: false,
      });
    }
  });

  test("the pool is created only once SES has verified the domain through DKIM", () => {
    const verification = named(recorded, "mail-verification");
    expect(verification.type).toBe(
      "aws:ses/domainIdentityVerification:DomainIdentityVerification",
    );
    expect(verification.inputs).toEqual({ domain: "example.com" });
    expect(verification.dependsOn).toEqual(
      expect.arrayContaining([
        "mail",
        "mail-dkim-1",
        "mail-dkim-2",
        "mail-dkim-3",
      ]),
    );

    const pool = named(recorded, "user-pool");
    expect(pool.dependsOn).toContain("mail-verification");
    expect(pool.inputs.emailConfiguration.sourceArn).toBe(
      arnOf("ses", "identity/example.com"),
    );
  });

  test("the MAIL FROM domain has its MX and SPF records", () => {
    expect(inputsOf("mail-from")).toMatchObject({
      emailIdentity: "example.com",
      mailFromDomain: "bounce.example.com",
    });
    expect(record("mail-from-mx")).toMatchObject({
      name: "bounce.example.com",
      type: "MX",
      content: `feedback-smtp.${REGION}.amazonses.com`,
      priority: 10,
    });
    expect(record("mail-from-spf")?.content).toBe(
      '"v=spf1 include:amazonses.com ~all"',
    );
  });
});

describe("DNS", () => {
  test("the zone is created in the configured account", () => {
    expect(inputsOf("zone")).toEqual({
      account: { id: "0123456789abcdef0123456789abcdef" },
      name: "example.com",
      type: "full",
    });
  });

  test("zone settings enforce strict, modern TLS", () => {
    const settings = Object.fromEntries(
      ofType(recorded, "cloudflare:index/zoneSetting:ZoneSetting").map(
        ({ inputs }) => [inputs.settingId, inputs.value],
      ),
    );

    expect(settings).toEqual({
      ssl: "strict",
      tls_1_3: "on",
      min_tls_version: "1.2",
      always_use_https: "on",
      automatic_https_rewrites: "on",
    });
  });

  test("the domain's SPF and DMARC records, and the records file, are declared", () => {
    expect(record("spf")).toMatchObject({
      name: "example.com",
      type: "TXT",
      content: '"v=spf1 include:amazonses.com ~all"',
    });
    expect(record("dmarc")).toMatchObject({
      name: "_dmarc.example.com",
      content:
        '"v=DMARC1; p=quarantine; rua=mailto:dmarc-reports@example.com;"',
    });
    const declared = ofType(recorded, "cloudflare:index/dnsRecord:DnsRecord")
      .filter((resource) => resource.name.startsWith("record-"))
      .map(({ inputs }) => [inputs.name, inputs.type, inputs.content]);
    expect(declared).toEqual([
      ["example.com", "A", "192.0.2.10"],
      ["www.example.com", "CNAME", "example.com"],
    ]);
  });
});

describe("outputs", () => {
  test("other services find the core's identifiers under /core/", () => {
    const parameters = Object.fromEntries(
      ofType(recorded, "aws:ssm/parameter:Parameter")
        .filter(({ inputs }) => inputs.name.startsWith("/core/"))
        .map(({ inputs }) => [inputs.name, [inputs.type, plain(inputs.value)]]),
    );

    expect(parameters).toEqual({
      "/core/cognito-pool-id": ["String", POOL_ID],
      "/core/cognito-endpoint": [
        "String",
        `https://cognito-idp.${REGION}.amazonaws.com/${POOL_ID}`,
      ],
      "/core/cognito-audiences": ["StringList", "website-client-id"],
      "/core/cognito-client-website": ["String", "website-client-id"],
      "/core/cognito-password-policy": [
        "String",
        JSON.stringify(PASSWORD_POLICY),
      ],
      "/core/cloudflare-zone": ["String", "created-zone-id"],
      "/core/gateway-domain": ["String", "api.example.com"],
      "/core/users-table": ["String", "core-dev-users"],
      "/core/users-table-arn": [
        "String",
        arnOf("dynamodb", "table/core-dev-users"),
      ],
      "/core/cdn-domain": ["String", "cdn.example.com"],
      "/core/sync-queue-url": [
        "String",
        `https://sqs.${REGION}.amazonaws.com/${ACCOUNT_ID}/core-dev-user-sync`,
      ],
      "/core/cdn-r2-bucket": ["String", "core-dev-cdn"],
      "/core/cdn-backfill-queue-url": [
        "String",
        `https://sqs.${REGION}.amazonaws.com/${ACCOUNT_ID}/core-dev-cdn-backfill.fifo`,
      ],
    });
  });
});
