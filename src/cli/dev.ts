import type { Command } from "commander";

/** Adds the `dev` commands to the CLI. */
export function registerDevCommands(program: Command): void {
  void program;
}
