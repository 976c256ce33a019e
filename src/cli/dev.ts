/**
 * `core dev` (`npm start`): runs the local core until Ctrl-C. Its
 * subcommands help while developing against it: add a user, print an ID
 * token, upload a file to a registered bucket.
 */
import type { Command } from "commander";
import { localConfig } from "../config.ts";
import { startLocalCore } from "../local/core.ts";
import { formatSummary } from "../local/summary.ts";
import { registerDevHelpers } from "./dev-helpers.ts";

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
  // Handlers count metrics as in Lambda; a terminal has no use for EMF.
  process.env.POWERTOOLS_METRICS_DISABLED ??= "true";
  const local = localConfig();
  const started = performance.now();
  const core = await startLocalCore({
    home: local.CORE_HOME,
    port: local.CORE_PORT,
    extraBuckets: Object.fromEntries(
      local.CDN_BUCKETS.map((pair) => pair.split("=") as [string, string]),
    ),
    env: process.env,
    print: (line) => console.log(line),
  });
  console.log(
    formatSummary(core.endpoints, local.CORE_HOME, performance.now() - started),
  );

  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  // A second Ctrl-C while stopping ends the process at once.
  process.once("SIGINT", () => process.exit(130));
  console.log("Stopping the local core...");
  await core.stop();
  console.log("Stopped; data kept in", local.CORE_HOME);
}
