import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import {
  DeleteParameterCommand,
  GetParameterCommand,
  GetParametersByPathCommand,
  ParameterAlreadyExists,
  ParameterNotFound,
  PutParameterCommand,
  SSMClient,
} from "@aws-sdk/client-ssm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientOptions } from "../../src/aws/clients.ts";
import { startSsmSecrets } from "../../src/local/engines/ssm-secrets.ts";
import type { Engine } from "../../src/local/engines/types.ts";

let folder: string;
let engine: Engine;
let ssm: SSMClient;
let secrets: SecretsManagerClient;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), "ssm-secrets-"));
  engine = await startSsmSecrets({ file: join(folder, "state.json") });
  ssm = new SSMClient(clientOptions("us-east-1", engine.endpoint));
  secrets = new SecretsManagerClient(
    clientOptions("us-east-1", engine.endpoint),
  );
});

afterAll(async () => {
  await engine?.stop();
  await rm(folder, { recursive: true, force: true });
});

const put = (Name: string, Value: string, Overwrite = false) =>
  ssm.send(new PutParameterCommand({ Name, Value, Type: "String", Overwrite }));

describe("parameters", () => {
  it("stores, overwrites and deletes a parameter", async () => {
    expect((await put("/t/one", "a")).Version).toBe(1);
    await expect(put("/t/one", "b")).rejects.toBeInstanceOf(
      ParameterAlreadyExists,
    );
    expect((await put("/t/one", "b", true)).Version).toBe(2);

    const got = await ssm.send(new GetParameterCommand({ Name: "/t/one" }));
    expect(got.Parameter).toMatchObject({ Name: "/t/one", Value: "b" });
    expect(got.Parameter?.LastModifiedDate).toBeInstanceOf(Date);

    await ssm.send(new DeleteParameterCommand({ Name: "/t/one" }));
    await expect(
      ssm.send(new GetParameterCommand({ Name: "/t/one" })),
    ).rejects.toBeInstanceOf(ParameterNotFound);
    await expect(
      ssm.send(new DeleteParameterCommand({ Name: "/t/one" })),
    ).rejects.toBeInstanceOf(ParameterNotFound);
  });

  it("lists a path recursively in pages of ten", async () => {
    for (let index = 0; index < 23; index += 1) {
      const name = `/paged/${index % 2 ? "deep/" : ""}p${String(index).padStart(2, "0")}`;
      await put(name, `v${index}`);
    }
    await put("/pagedsibling/x", "not under the path");

    const names: string[] = [];
    let NextToken: string | undefined;
    let pages = 0;
    do {
      const page = await ssm.send(
        new GetParametersByPathCommand({
          Path: "/paged",
          Recursive: true,
          NextToken,
        }),
      );
      pages += 1;
      expect(page.Parameters?.length).toBeLessThanOrEqual(10);
      names.push(...(page.Parameters ?? []).map((p) => p.Name ?? ""));
      NextToken = page.NextToken;
    } while (NextToken);

    expect(pages).toBe(3);
    expect(names).toHaveLength(23);
    expect(names).toContain("/paged/deep/p01");
    expect(names).not.toContain("/pagedsibling/x");
  });

  it("lists only direct children without Recursive", async () => {
    const page = await ssm.send(
      new GetParametersByPathCommand({ Path: "/paged/deep/" }),
    );

    expect(page.Parameters).toHaveLength(10);
    expect(page.NextToken).toBeDefined();
    for (const parameter of page.Parameters ?? []) {
      expect(parameter.Name).toMatch(/^\/paged\/deep\/p\d\d$/);
    }
    const shallow = await ssm.send(
      new GetParametersByPathCommand({ Path: "/paged", MaxResults: 10 }),
    );
    const shallowNames = shallow.Parameters?.map((p) => p.Name) ?? [];
    expect(shallowNames).toHaveLength(10);
    expect(shallowNames.filter((name) => name?.includes("deep"))).toEqual([]);
  });
});

describe("secrets", () => {
  it("creates, reads, updates and deletes a secret", async () => {
    const created = await secrets.send(
      new CreateSecretCommand({ Name: "/core/test", SecretString: "{}" }),
    );
    await expect(
      secrets.send(
        new CreateSecretCommand({ Name: "/core/test", SecretString: "{}" }),
      ),
    ).rejects.toBeInstanceOf(ResourceExistsException);

    await secrets.send(
      new PutSecretValueCommand({
        SecretId: "/core/test",
        SecretString: '{"a":1}',
      }),
    );
    const byArn = await secrets.send(
      new GetSecretValueCommand({ SecretId: created.ARN }),
    );
    expect(byArn.SecretString).toBe('{"a":1}');

    await secrets.send(new DeleteSecretCommand({ SecretId: "/core/test" }));
    await expect(
      secrets.send(new GetSecretValueCommand({ SecretId: "/core/test" })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });
});

describe("persistence", () => {
  it("keeps parameters and secrets across a restart", async () => {
    const file = join(folder, "restart.json");
    const first = await startSsmSecrets({ file });
    const options = clientOptions("us-east-1", first.endpoint);
    await new SSMClient(options).send(
      new PutParameterCommand({ Name: "/kept", Value: "yes", Type: "String" }),
    );
    await new SecretsManagerClient(options).send(
      new CreateSecretCommand({ Name: "kept", SecretString: "s" }),
    );
    await first.stop();

    const second = await startSsmSecrets({ file });
    const again = clientOptions("us-east-1", second.endpoint);
    try {
      const parameter = await new SSMClient(again).send(
        new GetParameterCommand({ Name: "/kept" }),
      );
      const secret = await new SecretsManagerClient(again).send(
        new GetSecretValueCommand({ SecretId: "kept" }),
      );
      expect(parameter.Parameter?.Value).toBe("yes");
      expect(secret.SecretString).toBe("s");
    } finally {
      await second.stop();
    }
  });
});
