import { DescribeUserPoolCommand } from "@aws-sdk/client-cognito-identity-provider";
import { type Command, InvalidArgumentError } from "commander";
import type { UserSyncWiring } from "../handlers/user-sync-wiring.ts";
import { printTable, startProgress } from "./progress.ts";
import { userSyncTarget } from "./user-sync-target.ts";

/** Adds the `users` commands to the CLI. */
export function registerUsersCommands(program: Command): void {
  const users = program.command("users").description("the users table");

  users
    .command("resync")
    .description("copy every Cognito user into the users table")
    .option("--prune", "remove profiles of users no longer in Cognito", false)
    .option("--concurrency <n>", "users synced at once", positiveInt, 8)
    .option("--local", "target the running local core instead of AWS", false)
    .action(resync);
}

async function resync(options: {
  prune: boolean;
  concurrency: number;
  local: boolean;
}): Promise<void> {
  const target = await userSyncTarget(options.local);
  // Loaded on use: the sync's adapters pull in most SDKs, which the other
  // commands need not import.
  const [{ wireUserSync }, { resyncAll }] = await Promise.all([
    import("../handlers/user-sync-wiring.ts"),
    import("../users/resync.ts"),
  ]);
  const wiring = wireUserSync(target.config, target.aws);
  const estimate = await estimatedUsers(
    wiring.clients,
    target.config.USER_POOL_ID,
  );
  const progress = startProgress(
    "users {bar} {value}/{total} | synced {synced} unchanged {unchanged} pruned {pruned} failed {failed}",
    estimate,
  );

  const summary = await resyncAll(wiring, {
    prune: options.prune,
    concurrency: options.concurrency,
    onProgress: ({ failures: _, ...counts }) =>
      progress.update(
        counts.synced + counts.unchanged + counts.pruned + counts.failed,
        counts,
      ),
  });
  progress.stop();

  printTable([
    ["synced", summary.synced],
    ["unchanged", summary.unchanged],
    ["pruned", summary.pruned],
    ["failed", summary.failed],
  ]);
  if (summary.failed > 0) {
    console.error(`failed user ids: ${summary.failures.join(", ")}`);
    process.exitCode = 1;
  }
}

/** Cognito's estimate of the pool's size, for the progress bar only. */
async function estimatedUsers(
  clients: UserSyncWiring["clients"],
  userPoolId: string,
): Promise<number> {
  try {
    const { UserPool } = await clients.cognito.send(
      new DescribeUserPoolCommand({ UserPoolId: userPoolId }),
    );

    return UserPool?.EstimatedNumberOfUsers ?? 0;
  } catch {
    return 0;
  }
}

function positiveInt(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) {
    throw new InvalidArgumentError("must be a whole number of at least 1");
  }

  return number;
}
