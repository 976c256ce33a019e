// Bundles each Lambda handler into dist/<name>/index.mjs with esbuild.
// The AWS SDK is bundled and tree-shaken rather than taken from the Lambda
// runtime, so the code runs against the SDK version the tests ran against.
import { rm, stat } from "node:fs/promises";
import { build } from "esbuild";
import { HANDLERS } from "./handlers.ts";

await rm("dist", { recursive: true, force: true });

for (const name of HANDLERS) {
  await build({
    entryPoints: [`src/handlers/${name}.ts`],
    outfile: `dist/${name}/index.mjs`,
    bundle: true,
    platform: "node",
    target: "node22",
    format: "esm",
    minify: true,
    sourcemap: "linked",
    sourcesContent: false,
    legalComments: "none",
    // Some CommonJS dependencies call require() for Node built-ins.
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
    logLevel: "warning",
  });
  const { size } = await stat(`dist/${name}/index.mjs`);
  console.log(`dist/${name}/index.mjs  ${(size / 1024).toFixed(0)} KiB`);
}
