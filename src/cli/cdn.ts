import type { Command } from "commander";

/** Adds the `cdn` commands to the CLI. */
export function registerCdnCommands(program: Command): void {
  void program;
}
