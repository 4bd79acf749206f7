// Build step after tsc: the CLI as one bundle (dist/bundle/cli/), so a process, a reading thread or a
// writer thread loads a few files instead of ~800 (the SDK's funcs pull its whole model index with zod and
// undici; yargs, jose and zod are hundreds more). Start-up is most of a short run's cost: measured on the
// demo, `--version` 0.50 → 0.21 s of CPU, a live run 0.97 → 0.67. dist/src stays as tsc wrote it for
// the tests that import modules; the CLI's processes run the bundle.
import { build } from "esbuild";
import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";

const dist = (path: string) => fileURLToPath(new URL(`../${path}`, import.meta.url));

// Chunks are named by content hash: without this, every build left the previous ones behind.
rmSync(dist("bundle/cli"), { recursive: true, force: true });

await build({
  // The threads and the reader's transform are loaded by URL next to the module that names them: all
  // land in one folder, three levels below the package root like dist/src/<stage>/, so the paths that
  // code builds from import.meta.url (package.json, presets, the emulator's seed) hold unchanged.
  entryPoints: {
    main: dist("src/cli/main.js"),
    "worker-thread": dist("src/read/worker-thread.js"),
    "writer-thread": dist("src/write/writer-thread.js"),
    "map-on-reader": dist("src/rows/map-on-reader.js"),
  },
  outdir: dist("bundle/cli"),
  bundle: true,
  // Commands load their stage on use (see cli/commands): shared chunks keep that laziness.
  splitting: true,
  platform: "node",
  format: "esm",
  target: "node20",
  // Native or WebAssembly parts that must be loaded from their own package.
  external: ["better-sqlite3", "libpg-query", "pg"],
  // Packages that ship both: their ES module (jsonc-parser's CommonJS build requires by computed names).
  mainFields: ["module", "main"],
  // CommonJS dependencies (undici) require Node's modules: an ES module has no `require` of its own.
  banner: {
    js: 'import { createRequire as bundleRequire } from "node:module"; const require = bundleRequire(import.meta.url);',
  },
  sourcemap: "linked",
  logLevel: "warning",
});
