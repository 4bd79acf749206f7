#!/usr/bin/env node
// The CLI is compiled and bundled to dist/ by `npm run build` (run by `npm ci` through `prepare`).
import { main } from "../dist/bundle/cli/main.js";

process.exitCode = await main(process.argv.slice(2));
