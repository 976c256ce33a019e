/**
 * `core cdn backfill` and `core cdn verify`. Both run against AWS and R2
 * from configuration by default (unset names read from the stack's `/core/`
 * outputs in SSM); endpoint options point them at local engines. Callers
 * (the local core, tests) can pass their own targets. The `--remote`
 * start lives in cdn-backfill-remote.ts.
 */

import type { Command } from "commander";
import { InvalidArgumentError } from "commander";
import {
  backfillPortsFor,
  type CdnTargets,
  cdnTargetsFromConfig,
  cdnTargetsFromLocal,
  objectHeadsFor,
} from "../aws/bulk-targets.ts";
import { ssmClient } from "../aws/clients.ts";
import { backfill, DEFAULT_BACKFILL_CONCURRENCY } from "../cdn/backfill.ts";
import { needsAttention } from "../cdn/backfill-summary.ts";
import { verify } from "../cdn/verify.ts";
import { awsConfig, localConfig } from "../config.ts";
import { refuseRemoteConflicts, startRemote } from "./cdn-backfill-remote.ts";
import {
  backfillProgressBar,
  printBackfillSummary,
  printVerification,
} from "./cdn-backfill-report.ts";
import { listenForCtrlC } from "./cdn-interrupt.ts";
import {
  type EndpointOptions,
  environmentWith,
  withCdnOutputs,
} from "./cdn-target.ts";

export type { EndpointOptions } from "./cdn-target.ts";

/** Builds the targets for one command run. */
export type CdnTargetsLoader = (
  options: EndpointOptions,
) => Promise<CdnTargets>;

interface BackfillFlags extends EndpointOptions {
  readonly dir: string[];
  readonly delete?: boolean;
  readonly maxDelete?: number;
  readonly forceDelete?: boolean;
  readonly dryRun?: boolean;
  readonly concurrency: number;
  readonly remote?: boolean;
}

interface VerifyFlags extends EndpointOptions {
  readonly dir: string[];
  readonly deep?: boolean;
}

/** Adds `backfill` and `verify` under the `cdn` command. */
export function registerBackfillCommands(
  cdn: Command,
  loadTargets: CdnTargetsLoader = targetsFromEnvironment,
): void {
  const backfillCommand = cdn
    .command("backfill")
    .description("copy what R2 lacks from each registered bucket")
    .option("--dir <dir>", "only this directory (repeatable)", collect, [])
    .option("--delete", "remove R2 objects that have no source")
    .option(
      "--max-delete <n>",
      "delete at most n per directory (default: 10%)",
      count,
    )
    .option("--force-delete", "delete even above --max-delete")
    .option("--dry-run", "report what would change; change nothing")
    .option(
      "--concurrency <n>",
      "copies in flight",
      count,
      DEFAULT_BACKFILL_CONCURRENCY,
    )
    .option(
      "--remote",
      "hand the work to the backfill Lambda through its queue",
    )
    .action(async function backfillAction(
      flags: BackfillFlags,
      command: Command,
    ) {
      if (flags.remote) refuseRemoteConflicts(command);
      process.exitCode = flags.remote
        ? await startRemote(flags)
        : await runBackfill(await loadTargets(flags), flags);
    });
  const verifyCommand = cdn
    .command("verify")
    .description("list every difference between the buckets and R2")
    .option("--dir <dir>", "only this directory (repeatable)", collect, [])
    .option(
      "--deep",
      "also compare headers and user metadata (two HEADs per object)",
    )
    .action(async (flags: VerifyFlags) => {
      const targets = await loadTargets(flags);
      const ports = await backfillPortsFor(targets);
      const results = await verify(
        ports,
        targets.registry,
        targets.r2Bucket,
        flags.dir,
        flags.deep ? { heads: objectHeadsFor(targets) } : {},
      );
      process.exitCode = printVerification(results) > 0 ? 1 : 0;
    });
  for (const command of [backfillCommand, verifyCommand])
    addEndpointOptions(command);
}

/** Runs a local backfill; resolves to the exit code. */
export async function runBackfill(
  targets: CdnTargets,
  flags: Omit<BackfillFlags, "remote">,
): Promise<number> {
  const ports = await backfillPortsFor(targets);
  const progress = backfillProgressBar();
  const ctrlC = listenForCtrlC();
  try {
    const summaries = await backfill(
      ports,
      targets.registry,
      targets.r2Bucket,
      {
        dirs: flags.dir,
        delete: flags.delete,
        maxDelete: flags.maxDelete,
        forceDelete: flags.forceDelete,
        dryRun: flags.dryRun,
        concurrency: flags.concurrency,
        stop: ctrlC.stop,
        signal: ctrlC.abort,
        onProgress: progress.onProgress,
        ...(targets.cache ? { cache: targets.cache } : {}),
      },
    );
    progress.stop();
    printBackfillSummary(summaries);

    return needsAttention(summaries) ? 1 : 0;
  } finally {
    progress.stop();
    ctrlC.dispose();
  }
}

/**
 * Targets for AWS, or for the engines the endpoint options name. The R2
 * bucket and CDN URL come from the `/core/` outputs when unset. Backfill
 * builds the URLs it purges from CDN_BASE_URL, and a wrong one would purge
 * URLs nobody serves while the real ones stay stale. Unset, it is the
 * stack's own `/core/cdn-domain`, the domain the sync purges under; a value
 * that is set wins, so the summary names the first URL purged to make a
 * wrong one visible.
 */
async function targetsFromEnvironment(
  options: EndpointOptions,
): Promise<CdnTargets> {
  if (options.local) return cdnTargetsFromLocal(localConfig().CORE_HOME);

  const env = environmentWith(options);
  const ssm = ssmClient(awsConfig(env));

  return cdnTargetsFromConfig(
    await withCdnOutputs(ssm, env, ["CDN_R2_BUCKET", "CDN_BASE_URL"]),
  );
}

function addEndpointOptions(command: Command): void {
  command
    .option("--local", "use the running local core (its endpoints.json)")
    .option("--s3-endpoint <url>", "source S3 endpoint (default: AWS)")
    .option("--r2-endpoint <url>", "R2 endpoint (default: from the secret)")
    .option(
      "--r2-bucket <name>",
      "R2 bucket (default: CDN_R2_BUCKET, else /core/cdn-r2-bucket)",
    )
    .option("--ssm-endpoint <url>", "SSM endpoint for the registry")
    .option("--secrets-endpoint <url>", "Secrets Manager endpoint");
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function count(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) {
    throw new InvalidArgumentError("must be a whole number of 0 or more");
  }

  return parsed;
}
