// `npm test`'s runner: node:test over every compiled test file, the files that start servers and whole
// CLI runs first. `node --test` sorts its files by name, which started the longest ones (interop/, whose
// legacy servers boot for seconds) last, leaving one core idle behind a single long file at the end.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { run } from "node:test";
import { tap } from "node:test/reporters";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../test/", import.meta.url));
/** Folders in the order they start: the slowest files first, unit tests fill the gaps at the end. */
const first = ["interop", "e2e", "bridge", "bad-input", "emulator"];

const files = readdirSync(root, { recursive: true, encoding: "utf8" })
  .filter((file) => file.endsWith(".test.js"))
  .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))
  .map((file) => join(root, file));

function rank(file: string): number {
  const at = first.indexOf(file.split(/[\\/]/)[0]!);
  return at === -1 ? first.length : at;
}

// Test files wait on servers and child processes as much as they compute: two per core. Measured on 2
// cores: 4 at a time 146 s (230 s of CPU), 6 at a time 169 s (350 s: the contention costs more CPU).
const concurrency = Number(process.env.TEST_CONCURRENCY ?? 4);
const stream = run({ files, concurrency });
stream.on("test:fail", () => (process.exitCode = 1));
stream.compose(tap).pipe(process.stdout);
