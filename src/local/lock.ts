/**
 * One local core per home folder: `<home>/core.pid` names the process that
 * owns it. A file left by a process that no longer runs (a crash, kill -9)
 * is taken over.
 */
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { LocalCoreRunningError } from "./errors.ts";

export const PID_FILE = "core.pid";

/** Releases the home folder; safe to call twice. */
export type ReleaseLock = () => Promise<void>;

/** Claims `home` for this process or throws LocalCoreRunningError. */
export async function lockHome(home: string): Promise<ReleaseLock> {
  const file = join(home, PID_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(file, String(process.pid), { flag: "wx" });

      return () => releaseHome(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const owner = await ownerOf(file);
    if (owner !== undefined && isRunning(owner)) {
      throw new LocalCoreRunningError(home, owner);
    }
    await rm(file, { force: true });
  }
  throw new LocalCoreRunningError(home, (await ownerOf(file)) ?? 0);
}

async function releaseHome(file: string): Promise<void> {
  if ((await ownerOf(file)) === process.pid) await rm(file, { force: true });
}

async function ownerOf(file: string): Promise<number | undefined> {
  try {
    const pid = Number.parseInt(await readFile(file, "utf8"), 10);

    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Signal 0 checks that a process exists without touching it. */
function isRunning(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);

    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
