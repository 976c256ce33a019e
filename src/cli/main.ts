/**
 * The `core` command line: the local core (`core dev`), user resync and the
 * CDN tools. Each area registers its own commands.
 */
import { Command } from "commander";
import { registerCdnCommands } from "./cdn.ts";
import { registerDevCommands } from "./dev.ts";
import { registerUsersCommands } from "./users.ts";

// The SDK warns on every command that its releases after January 2027 need
// Node 22; the lockfile pins releases that run on Node 20, so nothing to do.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

const program = new Command("core")
  .description("api-core: auth, user sync, avatar cache and CDN sync")
  .showHelpAfterError();

registerDevCommands(program);
registerUsersCommands(program);
registerCdnCommands(program);

try {
  await program.parseAsync();
} catch (error) {
  console.error(`core: ${(error as Error).message}`);
  process.exitCode = 1;
}
