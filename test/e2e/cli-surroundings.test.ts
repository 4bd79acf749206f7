import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { dryRunJson, runCli } from "../helpers/cli.js";
import { liveRows, writeDump, writeMapping } from "../helpers/dumps.js";
import { webApp } from "../helpers/emulator.js";
import { repoFile, tempDir } from "../helpers/paths.js";
import Database from "better-sqlite3";
import { examples } from "../../src/cli/examples.js";

const cli = repoFile("bin/authlete-migrate.js");

test("init's clients.csv guards would-be formulas (read back as the legacy ID), writes both files or neither, and reads standard input once", async (t) => {
  const dir = tempDir(t);
  const rows = liveRows(4).map((r, i) => ({
    ...r,
    client: ["=cmd|' /C calc'!A0", '=HYPERLINK("http://x")', "+1", "@SUM(1)"][i]!,
  }));
  const dump = writeDump(dir, "dump.csv", rows);
  const out = join(dir, "mapping.json");
  const init = await runCli(["init", dump, "--out", out]);
  assert.equal(init.code, 0, init.stderr);
  const clients = readFileSync(join(dir, "clients.csv"), "utf8");
  for (const cell of ["'=cmd|' /C calc'!A0", "'+1", "'@SUM(1)"]) assert.ok(clients.includes(cell), cell);
  // Filled in, the guarded IDs still name the dump's clients: every row maps.
  const filled = clients
    .trim()
    .split("\n")
    .map((line, i) =>
      i === 0
        ? "legacy_id,client_id,grant_type"
        : line.replace(/,,(\w*),\d+$/, `,${webApp},AUTHORIZATION_CODE`),
    );
  writeFileSync(join(dir, "clients.csv"), `${filled.join("\n")}\n`);
  const dry = await dryRunJson(dump, out, join(dir, "l.db"));
  assert.equal(dry.summary.created, 4, dry.stdout + dry.stderr);

  // A dangling link planted at clients.csv: nothing is written, and the message says why.
  const other = join(dir, "other");
  mkdirSync(other);
  symlinkSync(join(dir, "nowhere.csv"), join(other, "clients.csv"));
  const planted = await runCli(["init", dump, "--out", join(other, "mapping.json")]);
  assert.equal(planted.code, 2);
  assert.match(
    planted.stderr,
    /clients\.csv exists; init never overwrites a file \(nor writes through a link\) \[usage\]/,
  );
  assert.equal(existsSync(join(other, "mapping.json")), false, "neither file");
  assert.equal(existsSync(join(dir, "nowhere.csv")), false, "nothing written through the link");
  const missing = await runCli(["init", dump, "--out", join(dir, "no", "such", "mapping.json")]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /the folder .*no\/such does not exist; create it first \[usage\]/);

  // A dump whose name carries terminal escapes: init names it, escaped.
  const named = join(dir, "named");
  mkdirSync(named);
  const evil = join(named, "dump\u001b[2J\u202e.csv");
  writeFileSync(evil, readFileSync(dump));
  const escaped = await runCli(["init", evil, "--out", join(named, "mapping.json")]);
  assert.equal(escaped.code, 0, escaped.stderr);
  assert.ok(!escaped.stdout.includes("\u001b") && !escaped.stdout.includes("\u202e"), "escaped");
  assert.match(escaped.stdout, /dump\\u\{1b\}\[2J\\u\{202e\}\.csv/);

  // init - : the dump arrives once, on a pipe, and is counted whole.
  const piped = join(dir, "piped");
  mkdirSync(piped);
  const fromPipe = await runCli(
    ["init", "-", "--format", "csv", "--out", join(piped, "mapping.json")],
    {},
    {
      input: readFileSync(dump),
    },
  );
  assert.equal(fromPipe.code, 0, fromPipe.stderr);
  assert.match(fromPipe.stdout, /4 legacy client ID\(s\) over 4 row\(s\)/);
});

test("a terminal on standard input is refused at once; a reader that stops reading ends the output quietly", async (t) => {
  const dir = tempDir(t);
  const mapping = writeMapping(dir);
  // script(1) gives the command a pseudo-terminal as its standard input.
  const tty = spawnSync(
    "script",
    ["-qec", `${process.execPath} ${cli} migrate - --mapping ${mapping} --dry-run`, "/dev/null"],
    { encoding: "utf8", timeout: 60_000, input: "" },
  );
  assert.equal(tty.error, undefined, "it did not wait");
  assert.equal(tty.status, 2, tty.stdout);
  assert.match(tty.stdout, /standard input is a terminal: pipe the dump in/);

  const ledger = join(dir, "l.db");
  const dump = writeDump(dir, "d.csv", liveRows(3));
  await dryRunJson(dump, mapping, ledger);
  // `true` exits without reading: the status output meets a closed pipe.
  const piped = spawnSync(
    "bash",
    ["-c", `set -o pipefail; ${process.execPath} ${cli} status --json --ledger ${ledger} | true`],
    { encoding: "utf8", timeout: 60_000 },
  );
  assert.equal(piped.stderr, "", "no stack trace");
  assert.equal(piped.status, 0);
});

test("status and cutover over a tampered ledger: escapes escaped, impossible counts and times said so, bad JSON shown or refused, never a crash", async (t) => {
  const dir = tempDir(t);
  const mapping = writeMapping(dir);
  const dump = writeDump(dir, "d.csv", liveRows(3));
  const ledger = join(dir, "l.db");
  assert.equal(
    (await runCli(["migrate", dump, "--mapping", mapping, "--ledger", ledger, "--dry-run", "--quiet"])).code,
    0,
  );
  const db = new Database(ledger);
  const runId = db.prepare("SELECT max(id) FROM runs").pluck().get() as number;
  const summary = JSON.parse(
    db.prepare("SELECT summary FROM runs WHERE id = ?").pluck().get(runId) as string,
  ) as Record<string, unknown>;
  db.prepare("UPDATE runs SET status = ?, summary = ?, started_at = ? WHERE id = ?").run(
    "completed\x1b[2J\u202e",
    JSON.stringify({ ...summary, rows: -5, created: 1e18 }),
    "yesterday",
    runId,
  );
  db.prepare(
    "INSERT INTO runs (started_at, dry_run, status, arguments, sources, mapping_hash, pid, host, summary) SELECT started_at, dry_run, 'completed', arguments, sources, mapping_hash, pid, host, ? FROM runs WHERE id = ?",
  ).run("{not json", runId);
  db.prepare(
    "INSERT INTO entries (token_hash, state, reason, run_id, seen_run, updated_at, source_file, row_no) VALUES ('x', 'skipped', ?, ?, ?, 0, 'd.csv', 1)",
  ).run("evil\x1b]52;c;aGk=\x07", runId, runId);
  db.prepare("INSERT INTO meta (key, value) VALUES ('cutover', 'null')").run();
  db.close();
  const status = await runCli(["status", "--ledger", ledger]);
  assert.equal(status.code, 0, status.stderr);
  assert.ok(!status.stdout.includes("\x1b") && !status.stdout.includes("\u202e"), "escaped");
  assert.match(
    status.stdout,
    /\(no time\) dry run completed\\u\{1b\}\[2J\\u\{202e\} rows \(not a count\) created \(not a count\)/,
  );
  assert.match(status.stdout, /summary unreadable/);
  assert.match(status.stdout, /Cutover: the record is not one this tool wrote/);
  const cutover = await runCli(["cutover", "--ledger", ledger]);
  assert.equal(cutover.code, 2, cutover.stdout + cutover.stderr);
  assert.match(cutover.stderr, /the ledger's cutover record is not one this tool wrote.*\[ledger_invalid\]/);
});

test("the emulator refuses a store that is not its own, a seed that is not JSON (unquoted) and a clock offset that is no clock; every help example names only flags its command has", async (t) => {
  const dir = tempDir(t);
  const mapping = writeMapping(dir);
  const ledger = join(dir, "l.db");
  const dump = writeDump(dir, "d.csv", liveRows(2));
  await runCli(["migrate", dump, "--mapping", mapping, "--ledger", ledger, "--dry-run", "--quiet"]);
  const tables = () =>
    new Database(ledger, { readonly: true })
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .pluck()
      .all();
  const before = tables();
  const store = await runCli(["emulator", "--store", ledger]);
  assert.equal(store.code, 2, store.stdout + store.stderr);
  assert.match(
    store.stderr,
    /--store .*l\.db is not an emulator store \(it holds other tables: a ledger\?\)/,
  );
  assert.deepEqual(tables(), before, "the ledger is untouched");
  const seed = join(dir, "seed.json");
  writeFileSync(seed, "sk_live_TopSecretValue and more");
  const badSeed = await runCli(["emulator", "--seed", seed]);
  assert.equal(badSeed.code, 2);
  assert.match(badSeed.stderr, /is not valid JSON/);
  assert.ok(!badSeed.stderr.includes("TopSecret"), "the file is never quoted");
  const offset = await runCli(["emulator", "--clock-offset-ms", "1e20"]);
  assert.equal(offset.code, 2);
  assert.match(offset.stderr, /--clock-offset-ms must be a whole number of ms within a year.*\[usage\]/);

  for (const [command, list] of Object.entries(examples)) {
    const help = (await runCli([command, "--help"])).stdout;
    for (const [example] of list)
      for (const flag of example.match(/ --[a-z-]+/g) ?? [])
        assert.ok(
          help.includes(`${flag.trim()} `) || help.includes(`${flag.trim()}\n`),
          `${command} --help lists${flag}`,
        );
  }
  const migrateHelp = (await runCli(["migrate", "--help"])).stdout;
  assert.match(migrateHelp, /checked\s+past\s+16\s+MiB/);
});
