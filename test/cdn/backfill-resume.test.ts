import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { backfill } from "../../src/cdn/backfill.ts";
import type { BackfillPorts } from "../../src/cdn/backfill-ports.ts";
import {
  type CdnEngines,
  R2_BUCKET,
  startCdnEngines,
} from "../support/cdn-engines.ts";
import {
  backfillPorts,
  putObjects,
  r2Puts,
  registryOf,
} from "./backfill-fixture.ts";

const OBJECTS = 40;
let engines: CdnEngines;
let ports: BackfillPorts;

beforeAll(async () => {
  engines = await startCdnEngines(["trailers-src", "stills-src"]);
  ports = await backfillPorts(engines);
  await putObjects(engines.sourceClient, "trailers-src", OBJECTS);
  await putObjects(engines.sourceClient, "stills-src", 3);
});
afterAll(async () => {
  await engines?.stop();
});
beforeEach(() => {
  engines.r2Proxy.requests.length = 0;
});

async function r2Count(dir: string): Promise<number> {
  const page = await engines.r2Client.send(
    new ListObjectsV2Command({ Bucket: R2_BUCKET, Prefix: `${dir}/` }),
  );
  return page.KeyCount ?? 0;
}

describe("backfill dry run", () => {
  it("reports what it would copy and changes nothing", async () => {
    const [summary] = await backfill(
      ports,
      registryOf(["stills", "stills-src"]),
      R2_BUCKET,
      { dryRun: true, delete: true },
    );

    expect(summary).toMatchObject({
      dryRun: true,
      toCopy: 3,
      copied: 0,
      toDelete: 0,
    });
    expect(summary?.toCopyBytes).toBeGreaterThan(0);
    const writes = engines.r2Proxy.requests.filter(
      (request) => request.method !== "GET" && request.method !== "HEAD",
    );
    expect(writes).toEqual([]);
    expect(await r2Count("stills")).toBe(0);
  });
});

describe("backfill after an interruption", () => {
  it("copies on the next run only what the first run did not finish", async () => {
    const registry = registryOf(["trailers", "trailers-src"]);
    const controller = new AbortController();
    let copies = 0;

    const [first] = await backfill(ports, registry, R2_BUCKET, {
      concurrency: 4,
      signal: controller.signal,
      onProgress(progress) {
        if (progress.kind === "copied" && ++copies === 10) controller.abort();
      },
    });
    const mirroredAfterFirst = await r2Count("trailers");
    engines.r2Proxy.requests.length = 0;

    const [second] = await backfill(ports, registry, R2_BUCKET, {
      concurrency: 4,
    });

    expect(first?.interrupted).toBe(true);
    expect(first?.copied).toBeGreaterThanOrEqual(10);
    expect(mirroredAfterFirst).toBeLessThan(OBJECTS);
    expect(second).toMatchObject({
      copied: OBJECTS - mirroredAfterFirst,
      unchanged: mirroredAfterFirst,
      interrupted: false,
      failures: [],
    });
    expect(r2Puts(engines, "trailers")).toBe(OBJECTS - mirroredAfterFirst);
    expect(await r2Count("trailers")).toBe(OBJECTS);
  });
});
