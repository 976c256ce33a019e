import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LocalCoreRunningError } from "../../src/local/errors.ts";
import { lockHome, PID_FILE } from "../../src/local/lock.ts";

let home: string;

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), "core-lock-"));
});

afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

describe("home folder lock", () => {
  it("refuses a second core while the first holds the folder", async () => {
    const release = await lockHome(home);

    await expect(lockHome(home)).rejects.toBeInstanceOf(LocalCoreRunningError);
    await release();
    const again = await lockHome(home);
    await again();
  });

  it("takes over a pid file left by a process that is gone", async () => {
    // Pids are below 2^22 on Linux, so this one cannot be running.
    await writeFile(join(home, PID_FILE), "4194304999");

    const release = await lockHome(home);

    expect(await readFile(join(home, PID_FILE), "utf8")).toBe(
      String(process.pid),
    );
    await release();
  });
});
