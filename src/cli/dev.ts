/**
 * `core dev` (`npm start`): runs the local core until Ctrl-C. Its
 * subcommands help while developing against it: add a user, print an ID
 * token, upload a file to a registered bucket.
 */
import type { Command } from "commander";
import { localConfig } from "../config.ts";
import { type LocalCore, startLocalCore } from "../local/core.ts";
import { LocalCoreInterruptedError } from "../local/errors.ts";
import { formatSummary } from "../local/summary.ts";
import { registerDevHelpers } from "./dev-helpers.ts";
import { catchInterrupts } from "./dev-signals.ts";

/** Adds the `dev` commands to the CLI. */
export function registerDevCommands(program: Command): void {
  const dev = program
    .command("dev")
    .description(
      "run the whole core locally on embedded engines (npm start); Ctrl-C stops it",
    )
    .action(runLocalCore);
  registerDevHelpers(dev);
}

async function runLocalCore(): Promise<void> {
  const interrupts = catchInterrupts();
  try {
    // Handlers count metrics as in Lambda; a terminal has no use for EMF.
    process.env.POWERTOOLS_METRICS_DISABLED ??= "true";
    const local = localConfig();
    const core = await startUnlessInterrupted(local, interrupts.signal);
    if (!core) return;

    await interrupts.interrupted;
    console.log("Stopping the local core...");
    await core.stop();
    console.log("Stopped; data kept in", local.CORE_HOME);
  } finally {
    interrupts.dispose();
  }
}

/** The running core, or undefined when a signal cut its start short. */
async function startUnlessInterrupted(
  local: ReturnType<typeof localConfig>,
  signal: AbortSignal,
): Promise<LocalCore | undefined> {
  const started = performance.now();
  try {
    const core = await startLocalCore({
      home: local.CORE_HOME,
      port: local.CORE_PORT,
      extraBuckets: Object.fromEntries(
        local.CDN_BUCKETS.map((pair) => pair.split("=") as [string, string]),
      ),
      env: process.env,
      print: (line) => console.log(line),
      signal,
    });
    const elapsed = performance.now() - started;
    console.log(formatSummary(core.endpoints, local.CORE_HOME, elapsed));

    return core;
  } catch (error) {
    if (!(error instanceof LocalCoreInterruptedError)) throw error;
    console.log(`Local core ${error.message}; data kept in ${local.CORE_HOME}`);
    process.exitCode = error.exitCode;

    return undefined;
  }
}
