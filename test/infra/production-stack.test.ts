/**
 * A production stack (`api-core:production: true`) keeps what holds users'
 * data from being deleted: by AWS, and by Pulumi. `protect` is a resource
 * option, not an input, so the harness reads it from the registration
 * request the engine would receive.
 */
import { beforeAll, describe, expect, test } from "vitest";
import { named, type Recorded } from "./pulumi-harness.ts";
import { runCore } from "./run-core.ts";

/** Resources whose loss loses users' data. */
const KEPT = ["user-pool", "users-table", "avatars"];

let production: Recorded[];
let development: Recorded[];

beforeAll(async () => {
  ({ recorded: development } = await runCore());
  ({ recorded: production } = await runCore({
    config: { "api-core:production": "true" },
  }));
});

describe("a production stack", () => {
  test("turns on the user pool's deletion protection", () => {
    expect(named(production, "user-pool").inputs.deletionProtection).toBe(
      "ACTIVE",
    );
  });

  test("has Pulumi protect the pool, the users table and the avatars bucket", () => {
    for (const name of KEPT) {
      expect(named(production, name).protect, name).toBe(true);
    }
    expect(named(production, "avatars").type).toBe("aws:s3/bucket:Bucket");
  });

  test("keeps the users table's own deletion protection", () => {
    expect(
      named(production, "users-table").inputs.deletionProtectionEnabled,
    ).toBe(true);
  });

  test("protects nothing else but the zone it created", () => {
    const protectedNames = production
      .filter((resource) => resource.protect)
      .map((resource) => resource.name)
      .sort();

    expect(protectedNames).toEqual([...KEPT, "zone"].sort());
  });
});

describe("a development stack", () => {
  test("leaves the pool without deletion protection and its data unprotected in Pulumi", () => {
    expect(named(development, "user-pool").inputs.deletionProtection).toBe(
      "INACTIVE",
    );
    for (const name of KEPT) {
      expect(named(development, name).protect, name).toBe(false);
    }
  });
});
