import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { runCli } from "../helpers/cli.js";
import { authleteEnv, billingService, mobileApp, webApp, withEmulator } from "../helpers/emulator.js";
import { repoFile, tempDir } from "../helpers/paths.js";

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

test("the README's walkthrough, from init to a live run, verify and rollback, runs as written", async (t) => {
  const readme = readFileSync(repoFile("README.md"), "utf8");
  const block = /## From a dump to a first dry run[\s\S]*?```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
  const lines = block.split("\n").filter((l) => l.trim() !== "");
  assert.ok(lines.length >= 7, "the walkthrough is there");
  const work = tempDir(t);
  const { emulator } = await withEmulator(t, { startAt: Date.parse("2025-06-01T12:00:00Z") });
  // What the person does by hand at the comment: the demo's Authlete clients, in init's template, and
  // the zone its times were written in (init reads zone-less times at their earliest until told).
  const fill = () => {
    const mappingFile = join(work, "mapping.json");
    const mapping = JSON.parse(readFileSync(mappingFile, "utf8")) as { time: { timezone: string } };
    assert.equal(mapping.time.timezone, "Etc/GMT-14");
    writeFileSync(mappingFile, JSON.stringify({ ...mapping, time: { ...mapping.time, timezone: "UTC" } }));
    const file = join(work, "clients.csv");
    assert.match(readFileSync(file, "utf8"), /^legacy_id,client_id,grant_type,rows\nweb-app-uid,,,6\n/);
    writeFileSync(
      file,
      `legacy_id,client_id,grant_type\nweb-app-uid,${webApp},\nmobile-uid,${mobileApp},\nbilling-uid,${billingService},CLIENT_CREDENTIALS\n`,
    );
  };
  const codes: number[] = [];
  let last = "";
  for (const line of lines) {
    if (line.startsWith("#")) {
      fill();
      continue;
    }
    const args = line
      .split(/\s+/)
      .slice(1)
      .map((a) => a.replace(/^work\//, `${work}/`).replace(/^fixtures\//, repoFile("fixtures/")));
    const run = await runCli(args, authleteEnv(emulator));
    codes.push(run.code ?? -1);
    last = run.stdout;
    assert.ok(run.code === 0 || run.code === 1, `${line}\n${run.stdout}${run.stderr}`);
  }
  // The legacy partner's client is not in the template: its row is client_unknown (exit 1), the rest land.
  assert.equal(emulator.store.stats().tokens, 0, "the final rollback deleted what the run created");
  assert.match(
    last,
    /^Rollback of every run: (\d+) token\(s\) created and not yet rolled back\n {2}deleted \1,/,
  );
  assert.equal(codes.length, lines.length - 1);
});
