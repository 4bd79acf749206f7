import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { join } from "node:path";
import { runCli, startCli } from "../helpers/cli.js";
import { demoMigrateArgs, demoNow } from "../helpers/demo.js";
import { repoFile, tempDir } from "../helpers/paths.js";
import { until } from "../helpers/wait.js";

test("--version prints the package's version, every command's --help has examples, and completion is a shell script", async () => {
  const { version } = JSON.parse(readFileSync(repoFile("package.json"), "utf8")) as { version: string };
  const shown = await runCli(["--version"]);
  assert.deepEqual([shown.code, shown.stdout.trim()], [0, version]);
  for (const command of [
    "migrate",
    "status",
    "report",
    "rollback",
    "verify",
    "compare",
    "cutover",
    "emulator",
  ]) {
    const help = await runCli([command, "--help"]);
    assert.equal(help.code, 0, help.stderr);
    assert.match(
      help.stdout,
      new RegExp(`Examples:\\n {2}authlete-migrate ${command}|Examples:\\n.*authlete-migrate`),
      command,
    );
  }
  const completion = await runCli(["completion"]);
  assert.equal(completion.code, 0);
  assert.match(completion.stdout, /###-begin-authlete-migrate-completions-###/);
  const words = await runCli(["--get-yargs-completions", "roll"]);
  assert.match(words.stdout, /^rollback$/m);
});

test("emulator --print-env prints the export lines the CLI then runs with, and the clock it runs on", async (t) => {
  const emulator = startCli(["emulator", "--print-env", "--now", demoNow]);
  t.after(() => {
    emulator.child.kill("SIGTERM");
    return emulator.result;
  });
  let out = "";
  emulator.child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  await until(() => out.includes("# the emulator's clock"), "the emulator's export lines");
  const env = Object.fromEntries(
    [...out.matchAll(/^export (AUTHLETE_\w+)='([^']*)'$/gm)].map((m) => [m[1]!, m[2]!]),
  );
  assert.deepEqual(Object.keys(env).sort(), ["AUTHLETE_BASE_URL", "AUTHLETE_BEARER", "AUTHLETE_SERVICE_ID"]);
  assert.match(out, new RegExp(`# the emulator's clock: ${demoNow.slice(0, 16)}`));
  const run = await runCli(demoMigrateArgs(join(tempDir(t), "l.db"), ["--json"]), env);
  assert.ok((JSON.parse(run.stdout) as { created: number }).created > 0, run.stderr);
});
