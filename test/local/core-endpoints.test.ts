import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  endpointsOf,
  writeEndpointsFile,
} from "../../src/local/core-endpoints.ts";
import type { CoreEngines } from "../../src/local/core-engines.ts";
import type { CoreResources } from "../../src/local/core-resources.ts";
import { readEndpointsFile } from "../../src/local/endpoints-file.ts";
import { formatSummary } from "../../src/local/summary.ts";

let home: string;

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), "core-endpoints-"));
});

afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

const engine = (port: number) => ({
  endpoint: `http://127.0.0.1:${port}`,
  stop: async () => {},
});

/** Engines on 4001-4006, as a core on port 4000 has them. */
function enginesAt4000(): CoreEngines {
  return {
    cognito: engine(4001),
    dynamo: engine(4002),
    s3: { ...engine(4003), onObjectEvent: () => {} },
    sqs: engine(4004),
    ssm: engine(4005),
    lambda: { ...engine(4006), register: () => {} },
    stop: async () => {},
  };
}

const resources: CoreResources = {
  userPoolId: "local_pool",
  clientId: "client",
  usersTable: "users",
  buckets: { avatars: "avatars", anime: "anime-assets" },
  r2Bucket: "cdn-r2",
  syncQueueUrl: "http://sqs.us-east-1.localhost:4004/000000000000/user-sync",
  cdnQueueUrl: "http://sqs.us-east-1.localhost:4004/000000000000/cdn-sync",
  unregistered: [],
};

describe("endpoints.json and the start summary", () => {
  it("list the Lambda Invoke endpoint besides every other one", async () => {
    const endpoints = endpointsOf(
      "http://127.0.0.1:4000",
      "us-east-1",
      enginesAt4000(),
      resources,
    );
    await writeEndpointsFile(home, endpoints);

    const read = await readEndpointsFile(home);

    expect(read).toEqual({
      api: "http://127.0.0.1:4000",
      cdn: "http://127.0.0.1:4000/cdn",
      region: "us-east-1",
      cognito: {
        endpoint: "http://127.0.0.1:4001",
        userPoolId: "local_pool",
        clientId: "client",
        issuer: "http://127.0.0.1:4001/local_pool",
      },
      dynamodb: { endpoint: "http://127.0.0.1:4002", usersTable: "users" },
      s3: {
        endpoint: "http://127.0.0.1:4003",
        buckets: { avatars: "avatars", anime: "anime-assets" },
        r2Bucket: "cdn-r2",
      },
      sqs: {
        endpoint: "http://127.0.0.1:4004",
        syncQueueUrl: resources.syncQueueUrl,
        cdnQueueUrl: resources.cdnQueueUrl,
      },
      ssm: { endpoint: "http://127.0.0.1:4005" },
      lambda: { endpoint: "http://127.0.0.1:4006" },
    });
    expect(formatSummary(read, home, 1200)).toMatch(
      /^ {2}Lambda Invoke +http:\/\/127\.0\.0\.1:4006$/m,
    );
  });
});
