/**
 * The CDN registry at deploy time and what the CDN functions may read: the
 * registered buckets (through the runtime's own functions), the registry
 * parameters and the R2 secret.
 */
import * as aws from "@pulumi/aws";
import { parseRegistry } from "../src/cdn/registry.ts";
import { registryPolicyDocument } from "../src/cdn/registry-rules.ts";
import type { Registry } from "../src/cdn/types.ts";
import { arn, type DeployContext } from "./context.ts";
import type { Statement } from "./iam.ts";
import { AVATARS_DIR } from "./user-sync.ts";

/** Where buckets register, and the R2 credentials' secret (DESIGN.md). */
export const REGISTRY_PREFIX = "/cdn-bucket/";
export const CDN_SECRET_NAME = "/core/cloudflare-cdn";

/**
 * The registry as SSM holds it now, plus the avatars entry this stack
 * creates, so a first deploy (before the parameter exists) mirrors avatars.
 */
export async function readRegistry(avatarsBucket: string): Promise<Registry> {
  const found = await aws.ssm.getParametersByPath({
    path: REGISTRY_PREFIX,
    recursive: true,
    withDecryption: false,
  });
  const avatars = `${REGISTRY_PREFIX}${AVATARS_DIR}`;
  const parameters = found.names
    .map((name, index) => ({ name, value: found.values[index] ?? "" }))
    .filter((parameter) => parameter.name !== avatars);

  return parseRegistry(
    [...parameters, { name: avatars, value: avatarsBucket }],
    REGISTRY_PREFIX,
  );
}

/** Read access to the registry's buckets, as the runtime derives it. */
export function registryStatements(registry: Registry): Statement[] {
  const document = registryPolicyDocument(registry);

  return (document?.Statement ?? []).map((statement) => ({
    ...statement,
    Action: [...statement.Action],
    Resource: [...statement.Resource],
  }));
}

/** Listing the registry's buckets, and nothing of their objects. */
export function registryListing(registry: Registry): Statement[] {
  return registryStatements(registry).filter((statement) =>
    statement.Action.every((action) => action === "s3:ListBucket"),
  );
}

/** The runtime reads the registry itself, to map a bucket to its dir. */
export function registryRead(context: DeployContext): Statement {
  const path = REGISTRY_PREFIX.replace(/\/$/, "");

  return {
    Sid: "ReadRegistry",
    Effect: "Allow",
    Action: ["ssm:GetParametersByPath"],
    Resource: [
      arn(context, "ssm", `parameter${path}`),
      arn(context, "ssm", `parameter${path}/*`),
    ],
  };
}

/** Only the R2 secret; Secrets Manager appends six random characters. */
export function readSecret(context: DeployContext): Statement {
  return {
    Sid: "ReadR2Secret",
    Effect: "Allow",
    Action: ["secretsmanager:GetSecretValue"],
    Resource: [arn(context, "secretsmanager", `secret:${CDN_SECRET_NAME}-*`)],
  };
}
