/**
 * The Cloudflare credentials secret (`/core/cloudflare-cdn` by default): a
 * JSON object with the R2 account and keys. Read once and cached, because
 * every SQS batch needs it and the secret changes only on rotation.
 */
import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  type SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { CdnSecretError } from "../cdn/errors.ts";

export interface R2Credentials {
  readonly accountId: string;
  /** Cloudflare API token scoped to R2; the sync signs with the keys below. */
  readonly r2AccessToken: string;
  readonly r2AccessKeyId: string;
  readonly r2SecretAccessKey: string;
}

export const R2_CREDENTIAL_FIELDS = [
  "accountId",
  "r2AccessToken",
  "r2AccessKeyId",
  "r2SecretAccessKey",
] as const;

/** How long a read secret is reused, so a rotation is picked up in time. */
export const SECRET_CACHE_MS = 5 * 60 * 1000;

let cache: { name: string; expires: number; value: R2Credentials } | undefined;

/**
 * Forgets the cached secret: the sync calls it when R2 refuses the keys
 * (CdnR2CredentialsRejectedError), so the retry reads a rotated secret
 * at once instead of after SECRET_CACHE_MS; tests call it too.
 */
export function resetCdnSecretCache(): void {
  cache = undefined;
}

/**
 * The R2 credentials in secret `name`, from cache when fresh. Throws
 * CdnSecretError listing field names (never values) when the secret is
 * missing, not JSON or incomplete; other SDK errors propagate.
 */
export async function loadR2Credentials(
  client: SecretsManagerClient,
  name: string,
  now = Date.now(),
): Promise<R2Credentials> {
  if (cache && cache.name === name && cache.expires > now) return cache.value;

  const value = parseR2Credentials(name, await readSecret(client, name));
  cache = { name, expires: now + SECRET_CACHE_MS, value };

  return value;
}

async function readSecret(
  client: SecretsManagerClient,
  name: string,
): Promise<string | undefined> {
  try {
    const output = await client.send(
      new GetSecretValueCommand({ SecretId: name }),
    );
    return output.SecretString;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) {
      throw new CdnSecretError(name, "missing", R2_CREDENTIAL_FIELDS, {
        cause: error,
      });
    }
    throw error;
  }
}

/** Validates the secret's text; exported for tests of the rules alone. */
export function parseR2Credentials(
  name: string,
  text: string | undefined,
): R2Credentials {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text ?? "");
  } catch {
    // The parser's message can quote the secret, so it is not kept as cause.
    throw new CdnSecretError(name, "not-json", R2_CREDENTIAL_FIELDS);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new CdnSecretError(name, "not-json", R2_CREDENTIAL_FIELDS);
  }

  const record = parsed as Record<string, unknown>;
  const missing = R2_CREDENTIAL_FIELDS.filter(
    (field) =>
      typeof record[field] !== "string" || String(record[field]).trim() === "",
  );
  if (missing.length > 0) {
    throw new CdnSecretError(name, "missing-fields", missing);
  }

  return Object.fromEntries(
    R2_CREDENTIAL_FIELDS.map((field) => [field, String(record[field]).trim()]),
  ) as unknown as R2Credentials;
}
