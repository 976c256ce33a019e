import { describe, expect, it } from "vitest";
import {
  registryEventPattern,
  registryPolicyDocument,
} from "../../src/cdn/registry-rules.ts";
import type { Registry } from "../../src/cdn/types.ts";

const entry = (dir: string, bucket: string) => ({
  dir,
  bucket,
  parameter: `/cdn-bucket/${dir}`,
});

const ONE: Registry = [entry("anime", "anime-assets")];
const THREE: Registry = [
  entry("anime", "anime-assets"),
  entry("manga/covers", "covers.example"),
  entry("site", "b-site"),
];

describe("registryPolicyDocument", () => {
  it("is undefined for an empty registry, which IAM would reject", () => {
    expect(registryPolicyDocument([])).toBeUndefined();
  });

  it("grants read and list on the one registered bucket only", () => {
    expect(registryPolicyDocument(ONE)).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "ReadRegisteredObjects",
          Effect: "Allow",
          Action: ["s3:GetObject"],
          Resource: ["arn:aws:s3:::anime-assets/*"],
        },
        {
          Sid: "ListRegisteredBuckets",
          Effect: "Allow",
          Action: ["s3:ListBucket"],
          Resource: ["arn:aws:s3:::anime-assets"],
        },
      ],
    });
  });

  it("lists three buckets, sorted, and nothing else", () => {
    const policy = registryPolicyDocument(THREE);

    expect(policy?.Statement[0]?.Resource).toEqual([
      "arn:aws:s3:::anime-assets/*",
      "arn:aws:s3:::b-site/*",
      "arn:aws:s3:::covers.example/*",
    ]);
    expect(policy?.Statement[1]?.Resource).toEqual([
      "arn:aws:s3:::anime-assets",
      "arn:aws:s3:::b-site",
      "arn:aws:s3:::covers.example",
    ]);
    const actions = policy?.Statement.flatMap((statement) => statement.Action);
    expect(actions).toEqual(["s3:GetObject", "s3:ListBucket"]);
    const resources = policy?.Statement.flatMap((statement) => [
      ...statement.Resource,
    ]);
    for (const resource of resources ?? []) {
      expect(resource).toMatch(/^arn:aws:s3:::[a-z0-9.-]+(\/\*)?$/);
    }
  });
});

describe("registryEventPattern", () => {
  it("is undefined for an empty registry, which EventBridge would reject", () => {
    expect(registryEventPattern([])).toBeUndefined();
  });

  it("matches created and deleted objects of one bucket", () => {
    expect(registryEventPattern(ONE)).toEqual({
      source: ["aws.s3"],
      "detail-type": ["Object Created", "Object Deleted"],
      detail: { bucket: { name: ["anime-assets"] } },
    });
  });

  it("matches exactly the three registered buckets", () => {
    expect(registryEventPattern(THREE)?.detail.bucket.name).toEqual([
      "anime-assets",
      "b-site",
      "covers.example",
    ]);
  });
});
