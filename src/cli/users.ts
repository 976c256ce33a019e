import type { Command } from "commander";

/** Adds the `users` commands to the CLI. */
export function registerUsersCommands(program: Command): void {
  void program;
}
