import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "infra/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: each file starts its own engines, so keep files few at once.
    maxWorkers: 2,
    env: {
      // Metrics are printed as EMF lines on stdout; tests read logs instead.
      POWERTOOLS_METRICS_DISABLED: "true",
      // Node 20 is supported by the pinned SDK; the notice is noise here.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    },
  },
});
