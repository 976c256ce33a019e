import { GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import {
  CreateSecretCommand,
  PutSecretValueCommand,
} from "@aws-sdk/client-secrets-manager";
import { PutParameterCommand } from "@aws-sdk/client-ssm";
import {
  afterAll,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it,
  vi,
} from "vitest";
import {
  loadR2Credentials,
  resetCdnSecretCache,
} from "../../src/aws/cdn-secret.ts";
import {
  loadRegistry,
  REGISTRY_MIN_REFRESH_MS,
  ssmRegistrySource,
} from "../../src/aws/ssm-registry.ts";
import { CdnRegistryError, CdnSecretError } from "../../src/cdn/errors.ts";
import { createR2Client, r2Endpoint } from "../../src/cloudflare/r2-client.ts";
import {
  CDN_PREFIX,
  type CdnEngines,
  R2_BUCKET,
  startCdnEngines,
} from "../support/cdn-engines.ts";

let engines: CdnEngines;

beforeAll(async () => {
  engines = await startCdnEngines([]);
});

afterAll(async () => {
  await engines?.stop();
});

beforeEach(() => {
  resetCdnSecretCache();
});

const SECRET_VALUES = {
  accountId: "acct-123",
  r2AccessToken: "token-secret-value",
  r2AccessKeyId: "key-id-value",
  r2SecretAccessKey: "secret-key-value",
};

async function storeSecret(name: string, text: string): Promise<void> {
  await engines.secrets.send(
    new CreateSecretCommand({ Name: name, SecretString: text }),
  );
}

async function secretError(name: string): Promise<CdnSecretError> {
  const error = await loadR2Credentials(engines.secrets, name).catch(
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(CdnSecretError);

  return error as CdnSecretError;
}

describe("R2 credentials secret", () => {
  it("reads a complete secret", async () => {
    await storeSecret("/t/complete", JSON.stringify(SECRET_VALUES));

    expect(await loadR2Credentials(engines.secrets, "/t/complete")).toEqual(
      SECRET_VALUES,
    );
  });

  it("names the secret and every field when it does not exist", async () => {
    const error = await secretError("/t/absent");

    expect(error.problem).toBe("missing");
    expect(error.message).toContain("/t/absent does not exist");
    expect(error.message).toContain(
      "accountId, r2AccessToken, r2AccessKeyId, r2SecretAccessKey",
    );
  });

  it("says the secret is not JSON without quoting it", async () => {
    await storeSecret("/t/not-json", "accountId=abc; password=hunter2");
    const error = await secretError("/t/not-json");

    expect(error.problem).toBe("not-json");
    expect(error.message).not.toContain("hunter2");
    expect(
      JSON.stringify(error, Object.getOwnPropertyNames(error)),
    ).not.toContain("hunter2");
  });

  it("lists the missing fields, never the values", async () => {
    const { r2SecretAccessKey: _, accountId: __, ...partial } = SECRET_VALUES;
    await storeSecret(
      "/t/partial",
      JSON.stringify({ ...partial, accountId: "" }),
    );
    const error = await secretError("/t/partial");

    expect(error.missingFields).toEqual(["accountId", "r2SecretAccessKey"]);
    expect(error.message).toBe(
      "Secret /t/partial lacks the fields accountId, r2SecretAccessKey",
    );
    for (const value of Object.values(SECRET_VALUES)) {
      expect(error.message).not.toContain(value);
    }
  });

  it("rejects JSON that is not an object", async () => {
    await storeSecret("/t/array", "[1,2]");

    expect((await secretError("/t/array")).problem).toBe("not-json");
  });

  it("caches the secret across invocations until reset", async () => {
    await storeSecret("/t/cached", JSON.stringify(SECRET_VALUES));
    await loadR2Credentials(engines.secrets, "/t/cached");
    await engines.secrets.send(
      new PutSecretValueCommand({ SecretId: "/t/cached", SecretString: "{}" }),
    );

    const cached = await loadR2Credentials(engines.secrets, "/t/cached");
    expect(cached.accountId).toBe("acct-123");

    resetCdnSecretCache();
    await expect(
      loadR2Credentials(engines.secrets, "/t/cached"),
    ).rejects.toBeInstanceOf(CdnSecretError);
  });
});

describe("registry from SSM", () => {
  it("reads nested parameters over several pages", async () => {
    for (let index = 0; index < 12; index += 1) {
      await engines.register(`svc${index}/assets`, `bucket-${index}`);
    }
    await engines.register("top", "bucket-top");

    const registry = await loadRegistry(engines.ssm, CDN_PREFIX);

    expect(registry).toHaveLength(13);
    expect(registry[0]).toEqual({
      dir: "svc0/assets",
      bucket: "bucket-0",
      parameter: "/cdn-bucket/svc0/assets",
    });
    expect(registry.map((entry) => entry.dir)).toContain("top");
  });

  it("rejects a bad parameter by name", async () => {
    await engines.register("Bad_Dir", "bucket-bad");

    const error = await loadRegistry(engines.ssm, CDN_PREFIX).catch(
      (failure: unknown) => failure,
    );
    expect(error).toBeInstanceOf(CdnRegistryError);
    expect((error as Error).message).toContain("/cdn-bucket/Bad_Dir");
  });
});

describe("cached registry source", () => {
  it("re-reads SSM on a fresh request, but not twice within seconds", async () => {
    const source = ssmRegistrySource(engines.ssm, "/cached/", 60_000);
    const dirs = async (fresh: boolean) =>
      (await source.load({ fresh })).map((entry) => entry.dir);
    const register = (dir: string, bucket: string) =>
      engines.ssm.send(
        new PutParameterCommand({
          Name: `/cached/${dir}`,
          Value: bucket,
          Type: "String",
        }),
      );
    await register("first", "first-bucket");
    expect(await dirs(false)).toEqual(["first"]);

    await register("second", "second-bucket");
    expect(await dirs(false)).toEqual(["first"]);
    // The cache is younger than REGISTRY_MIN_REFRESH_MS: still cached.
    expect(await dirs(true)).toEqual(["first"]);

    vi.useFakeTimers({
      now: Date.now() + REGISTRY_MIN_REFRESH_MS + 1,
      toFake: ["Date"],
    });
    try {
      expect(await dirs(true)).toEqual(["first", "second"]);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("R2 client", () => {
  it("uses the account endpoint, region auto and WHEN_REQUIRED checksums", async () => {
    const client = createR2Client(SECRET_VALUES);
    const endpoint = await client.config.endpoint?.();

    expect(r2Endpoint("acct-123")).toBe(
      "https://acct-123.r2.cloudflarestorage.com",
    );
    expect(endpoint?.hostname).toBe("acct-123.r2.cloudflarestorage.com");
    expect(await client.config.region()).toBe("auto");
    expect(await client.config.requestChecksumCalculation()).toBe(
      "WHEN_REQUIRED",
    );
    expect(await client.config.responseChecksumValidation()).toBe(
      "WHEN_REQUIRED",
    );
    expect(client.config.forcePathStyle).toBe(false);
  });

  it("talks path style to an endpoint override with the secret's keys", async () => {
    const client = createR2Client(
      {
        ...SECRET_VALUES,
        r2AccessKeyId: "S3RVER",
        r2SecretAccessKey: "S3RVER",
      },
      engines.r2.endpoint,
    );
    await client.send(
      new PutObjectCommand({ Bucket: R2_BUCKET, Key: "probe.txt", Body: "ok" }),
    );
    const stored = await client.send(
      new GetObjectCommand({ Bucket: R2_BUCKET, Key: "probe.txt" }),
    );

    expect(client.config.forcePathStyle).toBe(true);
    expect(await stored.Body?.transformToString()).toBe("ok");
  });
});
