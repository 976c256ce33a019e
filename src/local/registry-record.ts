/**
 * The registry of the local core: writes a `/cdn-bucket/<dir>` parameter
 * per configured bucket, and removes those it wrote on an earlier start
 * whose directory is no longer configured (a CDN_BUCKETS entry dropped).
 * What it wrote is kept in `<home>/registry.json`, so parameters someone
 * added or re-pointed by hand are never removed; neither is the avatars
 * parameter, which is never recorded. Buckets and objects stay.
 */
import { readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  DeleteParameterCommand,
  GetParameterCommand,
  PutParameterCommand,
  type SSMClient,
} from "@aws-sdk/client-ssm";
import { isAwsError } from "../aws/errors.ts";

const RECORD_FILE = "registry.json";

/** Parameter name → the bucket the local core wrote into it. */
type Written = Record<string, string>;

export interface RegistrySettings {
  readonly home: string;
  readonly prefix: string;
  /** Directory → bucket: every directory to register now. */
  readonly buckets: Record<string, string>;
  /** A directory registered on every start, so never removed. */
  readonly permanentDir: string;
}

/** Registers `buckets`; resolves to the parameters it removed. */
export async function syncRegistry(
  ssm: SSMClient,
  settings: RegistrySettings,
): Promise<string[]> {
  const file = join(settings.home, RECORD_FILE);
  const before = await readRecord(file);
  const wanted = Object.fromEntries(
    Object.entries(settings.buckets)
      .filter(([dir]) => dir !== settings.permanentDir)
      .map(([dir, bucket]) => [`${settings.prefix}${dir}`, bucket]),
  );
  // Recorded before writing, so a crash in between leaves no parameter
  // that a later start does not know it wrote.
  await writeRecord(file, { ...before, ...wanted });
  for (const [dir, bucket] of Object.entries(settings.buckets)) {
    await put(ssm, `${settings.prefix}${dir}`, bucket);
  }

  const removed: string[] = [];
  for (const [name, bucket] of Object.entries(before)) {
    if (name in wanted) continue;
    if (await removeIfStill(ssm, name, bucket)) removed.push(name);
  }
  await writeRecord(file, wanted);

  return removed;
}

async function put(ssm: SSMClient, name: string, bucket: string) {
  await ssm.send(
    new PutParameterCommand({
      Name: name,
      Value: bucket,
      Type: "String",
      Overwrite: true,
    }),
  );
}

/** Deletes `name` if it still names `bucket`; re-pointed, it is not ours. */
async function removeIfStill(
  ssm: SSMClient,
  name: string,
  bucket: string,
): Promise<boolean> {
  try {
    const { Parameter } = await ssm.send(
      new GetParameterCommand({ Name: name }),
    );
    if (Parameter?.Value !== bucket) return false;

    await ssm.send(new DeleteParameterCommand({ Name: name }));

    return true;
  } catch (error) {
    if (isAwsError(error, "ParameterNotFound")) return false;
    throw error;
  }
}

async function readRecord(file: string): Promise<Written> {
  try {
    const parsed = JSON.parse(await readFile(file, "utf8")) as unknown;
    if (!parsed || typeof parsed !== "object") return {};

    return Object.fromEntries(
      Object.entries(parsed).filter(([, bucket]) => typeof bucket === "string"),
    );
  } catch (error) {
    // A lost or garbled record only means nothing is removed this time.
    if (error instanceof SyntaxError) return {};
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw error;
  }
}

async function writeRecord(file: string, written: Written): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(written, null, 2)}\n`);
  await rename(temporary, file);
}
