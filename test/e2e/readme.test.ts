import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { repoFile } from "../helpers/paths.js";

test("the README's quick start names the two commands, and its demo command runs green", () => {
  const readme = readFileSync(repoFile("README.md"), "utf8");
  const quickStart = /## Quick start[\s\S]*?```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
  const commands = quickStart
    .split("\n")
    .map((line) => line.replace(/#.*$/, "").trim())
    .filter(Boolean);
  assert.deepEqual(commands, ["npm ci && npm run demo", "npm test"]);
  // `npm ci` has run (this suite runs after it) and `npm test` is what is running now: run the demo part.
  const demo = spawnSync("npm", ["run", "demo"], { cwd: repoFile(""), encoding: "utf8", timeout: 120_000 });
  assert.equal(demo.status, 0, demo.stdout + demo.stderr);
  assert.match(
    demo.stdout,
    /Create calls seen by the emulator: (\d+) after the first run, \1 after the rerun/,
  );
  assert.match(demo.stdout, /Demo finished/);
});
