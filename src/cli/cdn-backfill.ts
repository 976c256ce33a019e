/**
 * `core cdn backfill` and `core cdn verify`. Both run against AWS and R2
 * from configuration by default (unset names read from the stack's `/core/`
 * outputs in SSM); endpoint options point them at local engines. Callers (the local core, tests) can pass their own targets.
 */

import { randomUUID } from "node:crypto";
import type { Command } from "commander";
import { InvalidArgumentError } from "commander";
import { sendPageRequest } from "../aws/bulk-page-queue.ts";
import {
  backfillPortsFor,
  type CdnTargets,
  cdnTargetsFromConfig,
  cdnTargetsFromLocal,
  objectHeadsFor,
} from "../aws/bulk-targets.ts";
import { createAwsClients, ssmClient } from "../aws/clients.ts";
import { loadRegistry } from "../aws/ssm-registry.ts";
import { backfill, DEFAULT_BACKFILL_CONCURRENCY } from "../cdn/backfill.ts";
import { selectEntries } from "../cdn/backfill-plan.ts";
import { needsAttention } from "../cdn/backfill-summary.ts";
import { verify } from "../cdn/verify.ts";
import { awsConfig, ConfigError, localConfig } from "../config.ts";
import {
  backfillProgressBar,
  printBackfillSummary,
  printVerification,
} from "./cdn-backfill-report.ts";
import { listenForCtrlC } from "./cdn-interrupt.ts";
import { remoteBackfillConfig, withCdnOutputs } from "./cdn-target.ts";

/** Endpoint options shared by both commands, as commander parses them. */
export interface EndpointOptions {
  /** Use the local core's endpoints.json instead of AWS. */
  readonly local?: boolean;
  readonly s3Endpoint?: string;
  readonly r2Endpoint?: string;
  readonly r2Bucket?: string;
  readonly ssmEndpoint?: string;
  readonly secretsEndpoint?: string;
}

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
 * Options the remote start cannot honour: the Lambda copies what is missing
 * or different at its own concurrency, and never previews or deletes.
 */
const REMOTE_CONFLICTS = [
  ["dryRun", "--dry-run"],
  ["delete", "--delete"],
  ["maxDelete", "--max-delete"],
  ["forceDelete", "--force-delete"],
  ["concurrency", "--concurrency"],
] as const;

/**
 * Stops with a usage error (exit code 1, like commander's own) when
 * `--remote` comes with an option it would ignore, before anything is
 * read or queued: `--remote --dry-run` must not start a real copy.
 */
function refuseRemoteConflicts(command: Command): void {
  const given = REMOTE_CONFLICTS.filter(([key]) => {
    const source = command.getOptionValueSource(key);
    return source !== undefined && source !== "default";
  }).map(([, flag]) => flag);
  if (given.length === 0) return;

  command.error(
    `error: --remote cannot be combined with ${given.join(", ")}: the backfill Lambda only copies what is missing or different, at its own concurrency. Run without --remote to preview (--dry-run) or delete (--delete, --max-delete, --force-delete) from this machine, or drop ${given.join(", ")} to start the remote copy.`,
    { code: "core.cdn.remoteConflict" },
  );
}

/**
 * Queues the first page of each selected directory for the Lambda. Needs
 * only the registry and the backfill queue (`/core/cdn-backfill-queue-url`
 * when CDN_BACKFILL_QUEUE_URL is unset): the Lambda does the copying.
 */
async function startRemote(flags: BackfillFlags): Promise<number> {
  if (flags.local) {
    throw new ConfigError([
      "--remote needs the backfill Lambda; the local core has none (drop --remote)",
    ]);
  }
  const env = environmentWith(flags);
  const aws = createAwsClients(awsConfig(env));
  const { registryPrefix, queueUrl } = remoteBackfillConfig(
    await withCdnOutputs(aws.ssm, env, ["CDN_BACKFILL_QUEUE_URL"]),
  );

  const registry = await loadRegistry(aws.ssm, registryPrefix);
  const runId = randomUUID();
  for (const entry of selectEntries(registry, flags.dir)) {
    await sendPageRequest(aws.sqs, queueUrl, {
      kind: "cdn-backfill-page",
      dir: entry.dir,
      bucket: entry.bucket,
      runId,
    });
    console.log(
      `${entry.dir}: backfill of ${entry.bucket} queued (run ${runId})`,
    );
  }

  return 0;
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

/** The environment with the command's endpoint options laid over it. */
function environmentWith(
  options: EndpointOptions,
): Record<string, string | undefined> {
  const overrides = {
    S3_ENDPOINT: options.s3Endpoint,
    CDN_R2_ENDPOINT: options.r2Endpoint,
    CDN_R2_BUCKET: options.r2Bucket,
    SSM_ENDPOINT: options.ssmEndpoint,
    SECRETS_ENDPOINT: options.secretsEndpoint,
  };
  const given = Object.entries(overrides).filter(([, value]) => value);

  return { ...process.env, ...Object.fromEntries(given) };
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
