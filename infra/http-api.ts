/**
 * The HTTP API: API Gateway in front of the `api` function, with a JWT
 * authorizer on the sync endpoint, CORS, throttling and `api.<domain>`.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { Auth } from "./auth.ts";
import { LambdaFunction } from "./components/lambda-function.ts";
import { ValidatedCertificate } from "./components/validated-certificate.ts";
import type { DeployContext } from "./context.ts";
import { dnsRecord } from "./dns.ts";
import type { UserSyncStorage } from "./user-sync.ts";
import { userSyncEnvironment, userSyncStatements } from "./user-sync-access.ts";

/** API Gateway stops waiting for an integration after 30 s (quotas). */
export const API_TIMEOUT_SECONDS = 29;

/**
 * Routes of the app in `src/http`. The API is mapped at the root of
 * `api.<domain>`, so paths keep their `/v1` and the app sees the same path
 * whether it runs here or on the Node server. Profile reads are public.
 */
export const API_ROUTES = [
  { routeKey: "GET /v1/auth/sync", authorized: true },
  { routeKey: "POST /v1/auth/sync", authorized: true },
  { routeKey: "GET /v1/users", authorized: false },
  { routeKey: "GET /v1/users/{id}", authorized: false },
] as const;

export interface HttpApi {
  readonly host: string;
  readonly api: aws.apigatewayv2.Api;
}

/** The API, its function, routes, stage and custom domain. */
export function createHttpApi(
  context: DeployContext,
  auth: Auth,
  storage: UserSyncStorage,
): HttpApi {
  const { config, prefix } = context;
  const handler = new LambdaFunction("api", {
    handler: "api",
    functionName: `${prefix}-api`,
    description: "Serves /v1/auth/sync and /v1/users",
    environment: {
      ...userSyncEnvironment(context, auth.pool.id, storage),
      COGNITO_CLIENT_IDS: auth.websiteClient.id,
      CORS_ORIGINS: config.corsOrigins.join(","),
    },
    statements: [
      ...userSyncStatements("api", auth.pool.arn, storage),
      {
        Sid: "EnqueueSync",
        Effect: "Allow",
        Action: ["sqs:SendMessage"],
        Resource: [storage.syncQueue.queue.arn],
      },
    ],
    logRetentionDays: config.logRetentionDays,
    timeoutSeconds: API_TIMEOUT_SECONDS,
    memoryMb: 512,
    codeDir: context.codeDir,
  });

  const api = new aws.apigatewayv2.Api("http-api", {
    name: `${prefix}-api`,
    protocolType: "HTTP",
    // API Gateway answers preflights itself and ignores the app's headers.
    ...(config.corsOrigins.length === 0
      ? {}
      : {
          corsConfiguration: {
            allowOrigins: config.corsOrigins,
            allowMethods: ["GET", "POST", "OPTIONS"],
            allowHeaders: ["authorization", "content-type"],
            maxAge: 3600,
          },
        }),
  });
  const authorizer = new aws.apigatewayv2.Authorizer("http-api-jwt", {
    apiId: api.id,
    name: "cognito",
    authorizerType: "JWT",
    identitySources: ["$request.header.Authorization"],
    jwtConfiguration: {
      issuer: pulumi.interpolate`https://${auth.pool.endpoint}`,
      audiences: [auth.websiteClient.id],
    },
  });
  const integration = new aws.apigatewayv2.Integration("http-api-lambda", {
    apiId: api.id,
    integrationType: "AWS_PROXY",
    integrationUri: handler.arn,
    payloadFormatVersion: "2.0",
    timeoutMilliseconds: API_TIMEOUT_SECONDS * 1000,
  });
  for (const route of API_ROUTES) {
    new aws.apigatewayv2.Route(routeName(route.routeKey), {
      apiId: api.id,
      routeKey: route.routeKey,
      target: pulumi.interpolate`integrations/${integration.id}`,
      ...(route.authorized
        ? { authorizationType: "JWT", authorizerId: authorizer.id }
        : { authorizationType: "NONE" }),
    });
  }
  new aws.lambda.Permission("http-api-invoke", {
    action: "lambda:InvokeFunction",
    function: handler.name,
    principal: "apigateway.amazonaws.com",
    sourceArn: pulumi.interpolate`${api.executionArn}/*/*`,
  });

  const stage = createStage(context, api);
  const host = mapDomain(context, api, stage);

  return { host, api };
}

function routeName(routeKey: string): string {
  const slug = routeKey.toLowerCase().replace(/[^a-z0-9]+/g, "-");

  return `http-api-route${slug.replace(/-$/, "")}`;
}

/** The default stage: deployed on change, throttled, access-logged. */
function createStage(context: DeployContext, api: aws.apigatewayv2.Api) {
  const { config, prefix } = context;
  const accessLogs = new aws.cloudwatch.LogGroup("http-api-access-logs", {
    name: `/aws/apigateway/${prefix}-api`,
    retentionInDays: config.logRetentionDays,
  });

  return new aws.apigatewayv2.Stage("http-api-stage", {
    apiId: api.id,
    name: "$default",
    autoDeploy: true,
    defaultRouteSettings: {
      throttlingBurstLimit: config.apiThrottle.burstLimit,
      throttlingRateLimit: config.apiThrottle.rateLimit,
    },
    accessLogSettings: {
      destinationArn: accessLogs.arn,
      format: JSON.stringify({
        requestId: "$context.requestId",
        routeKey: "$context.routeKey",
        status: "$context.status",
        latencyMs: "$context.responseLatency",
        integrationError: "$context.integrationErrorMessage",
        authorizerError: "$context.authorizer.error",
      }),
    },
  });
}

/** `api.<domain>`: regional certificate, root mapping, proxied CNAME. */
function mapDomain(
  context: DeployContext,
  api: aws.apigatewayv2.Api,
  stage: aws.apigatewayv2.Stage,
): string {
  const host = `api.${context.config.domain}`;
  const certificate = new ValidatedCertificate("api-certificate", {
    domainName: host,
    zone: context.zone,
  });
  const domain = new aws.apigatewayv2.DomainName("api-domain", {
    domainName: host,
    domainNameConfiguration: {
      certificateArn: certificate.arn,
      endpointType: "REGIONAL",
      securityPolicy: "TLS_1_2",
    },
  });
  new aws.apigatewayv2.ApiMapping("api-mapping", {
    apiId: api.id,
    domainName: domain.id,
    stage: stage.id,
  });
  dnsRecord("api-cname", context.zone, {
    name: host,
    type: "CNAME",
    content: domain.domainNameConfiguration.apply(
      (configuration) => configuration.targetDomainName ?? "",
    ),
    proxied: true,
    comment: "HTTP API (API Gateway, regional)",
  });

  return host;
}
