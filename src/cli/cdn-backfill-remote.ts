/**
 * `core cdn backfill --remote`: hands the copying to the backfill Lambda
 * through its queue, after refusing the options only a local run honours.
 */

import { randomUUID } from "node:crypto";
import type { Command } from "commander";
import { sendPageRequest } from "../aws/bulk-page-queue.ts";
import { createAwsClients } from "../aws/clients.ts";
import { loadRegistry } from "../aws/ssm-registry.ts";
import { selectEntries } from "../cdn/backfill-plan.ts";
import { awsConfig, ConfigError } from "../config.ts";
import {
  type EndpointOptions,
  environmentWith,
  remoteBackfillConfig,
  withCdnOutputs,
} from "./cdn-target.ts";

/** What the remote start reads of `core cdn backfill`'s flags. */
export interface RemoteFlags extends EndpointOptions {
  readonly dir: readonly string[];
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
export function refuseRemoteConflicts(command: Command): void {
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
export async function startRemote(flags: RemoteFlags): Promise<number> {
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
