#!/usr/bin/env -S node --openssl-legacy-provider
// The `core` CLI runs from TypeScript sources through tsx, so a checkout
// works right after `npm ci` with no build step.
import { register } from "tsx/esm/api";

register();
await import("../src/cli/main.ts");
