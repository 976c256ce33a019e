/**
 * `npm run bench`: runs every `bench/*.bench.ts` in turn, each in its own
 * Node process so one benchmark's memory never counts against another's.
 * `npm run bench -- users` runs only the files whose name contains "users".
 */
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

const folder = fileURLToPath(new URL(".", import.meta.url));
const filters = process.argv.slice(2);
const files = readdirSync(folder)
  .filter((name) => name.endsWith(".bench.ts"))
  .filter(
    (name) => filters.length === 0 || filters.some((f) => name.includes(f)),
  )
  .sort();

let failed = 0;
for (const file of files) {
  console.log(`\n=== ${file}`);
  const result = spawnSync(
    process.execPath,
    ["--openssl-legacy-provider", "--import", "tsx", `${folder}${file}`],
    {
      stdio: "inherit",
      env: {
        ...process.env,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
        POWERTOOLS_METRICS_DISABLED: "true",
        POWERTOOLS_LOG_LEVEL: "ERROR",
      },
    },
  );
  if (result.status !== 0) failed++;
}
process.exitCode = failed ? 1 : 0;
