import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { createInterface } from "node:readline";
import { once } from "node:events";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import Database from "better-sqlite3";
import { openLedger } from "../../src/ledger/index.js";
import { MigrateError } from "../../src/shared/errors.js";
import { tempDir } from "../helpers/paths.js";
import { until } from "../helpers/wait.js";

const start = { dryRun: false, arguments: {}, sources: [], mappingHash: "" };

/** The first objects of a ledger, as a creation made a table at a time left them when its process was killed. */
function interruptedCreation(dir: string, file: string, names: string[]): void {
  const made = openLedger(join(dir, "whole.db"));
  made.close();
  const whole = new Database(join(dir, "whole.db"), { readonly: true });
  const partial = new Database(file);
  partial.pragma("journal_mode = WAL");
  for (const name of names)
    partial.exec(whole.prepare("SELECT sql FROM sqlite_master WHERE name = ?").pluck().get(name) as string);
  partial.close();
  whole.close();
}

const refusedAs = (code: string) => (error: unknown) => error instanceof MigrateError && error.code === code;

test("a ledger whose creation a kill interrupted is completed by the next run; one with rows or other columns is refused", (t) => {
  const dir = tempDir(t);
  const file = join(dir, "l.db");
  interruptedCreation(dir, file, ["meta", "runs", "entries", "entries_refresh"]);
  const ledger = openLedger(file);
  const runId = ledger.startRun(start);
  ledger.finishRun(runId, "completed", { runId });
  assert.deepEqual(
    ledger.status().runs.map((r) => r.status),
    ["completed"],
  );
  ledger.close();
  assert.equal(openLedger(file).hasCreated(), false, "opened again as a ledger");

  const used = join(dir, "used.db");
  interruptedCreation(dir, used, ["meta", "runs"]);
  const db = new Database(used);
  db.exec("INSERT INTO runs VALUES (1, 0, NULL, 0, 'running', '{}', '[]', '', NULL, 1, 'h')");
  db.close();
  const foreign = join(dir, "foreign.db");
  const other = new Database(foreign);
  other.exec("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL, owner TEXT)");
  other.close();
  for (const refused of [used, foreign]) {
    const before = readFileSync(refused);
    assert.throws(() => openLedger(refused), refusedAs("ledger_invalid"), refused);
    assert.deepEqual(readFileSync(refused), before, `${refused} left as it was`);
  }
});

test("one run at a time holds a ledger: a second start and a cutover are refused until it finishes or its ledger closes", (t) => {
  const file = join(tempDir(t), "l.db");
  const first = openLedger(file);
  const second = openLedger(file);
  t.after(() => [first, second].forEach((l) => l.close()));
  const runId = first.startRun(start);
  assert.throws(
    () => second.startRun(start),
    (e: unknown) => refusedAs("ledger_locked")(e) && /run 1 \(pid \d+ on .+\) is still using/.test(String(e)),
  );
  assert.throws(() => second.recordCutover({ force: false, at: 1 }), refusedAs("cutover_refused"));
  first.finishRun(runId, "completed", { runId });
  const next = second.startRun(start);
  assert.throws(() => first.startRun(start), refusedAs("ledger_locked"));
  second.close(); // never finished: closing the ledger lets go of the lock, as a process's end does
  const third = first.startRun(start);
  first.finishRun(third, "completed", { runId: third });
  assert.deepEqual(
    first.status().runs.map((r) => [r.id, r.status]),
    [
      [runId, "completed"],
      [next, "aborted"],
      [third, "completed"],
    ],
  );
  assert.equal(first.recordCutover({ force: false, at: 1 }).forced, false);
});

test("a ledger of this version opens without its write lock: status is read while a run writes", (t) => {
  const file = join(tempDir(t), "l.db");
  openLedger(file).close();
  const writing = new Database(file);
  writing.exec("BEGIN IMMEDIATE");
  writing.exec("INSERT INTO meta (key, value) VALUES ('in-flight', '1')");
  t.after(() => writing.close());
  const reader = openLedger(file);
  assert.deepEqual(reader.status().runs, []);
  reader.close();
});

test("a process killed while it creates ledgers never leaves one that later runs refuse", async (t) => {
  const ledgerModule = new URL("../../src/ledger/index.js", import.meta.url).href;
  // Creating ledger after ledger, so that a kill lands inside a creation most of the time.
  const creating = `const { openLedger } = await import(${JSON.stringify(ledgerModule)});
    for (let i = 0; ; i++) openLedger(process.argv[1] + "/l" + i + ".db").close();`;
  const refused: string[] = [];
  for (let kill = 0; kill < 12; kill++) {
    const dir = tempDir(t);
    const child = spawn(process.execPath, ["--input-type=module", "-e", creating, dir], { stdio: "ignore" });
    const closed = once(child, "close");
    const made = () => readdirSync(dir).filter((f) => /^l\d+\.db$/.test(f)).length;
    await until(() => made() > 1, "the child to create ledgers", 30_000);
    await sleep(Math.random() * 30);
    child.kill("SIGKILL");
    await closed;
    const last = join(dir, `l${made() - 1}.db`);
    try {
      openLedger(last).close();
    } catch (error) {
      refused.push(`${last}: ${(error as Error).message}`);
    }
  }
  assert.deepEqual(refused, []);
});

test("a file whose writer was killed mid-transaction (a hot journal beside it) is refused naming the journal, and left as it was", async (t) => {
  const file = join(tempDir(t), "l.db");
  // A rollback-journal database, its page cache too small for the transaction: pages spill to the file.
  const writing = `const Database = require(process.argv[1]);
    const db = new Database(process.argv[2]);
    db.pragma("cache_size = 10");
    db.exec("CREATE TABLE t (x)");
    db.exec("BEGIN");
    const put = db.prepare("INSERT INTO t VALUES (randomblob(4000))");
    for (let i = 0; i < 500; i++) put.run();
    console.log("in the middle");
    setInterval(() => {}, 1000);`;
  const sqlite = createRequire(import.meta.url).resolve("better-sqlite3");
  const child = spawn(process.execPath, ["-e", writing, sqlite, file], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const closed = once(child, "close");
  // A writer that dies before the middle of its transaction fails the test instead of leaving it waiting.
  const middle = once(createInterface({ input: child.stdout }), "line").then(() => true);
  assert.ok(
    await Promise.race([middle, closed.then(() => false)]),
    "the writer reached the middle of its transaction",
  );
  child.kill("SIGKILL");
  await closed;
  assert.ok(existsSync(`${file}-journal`), "the killed writer left its journal");
  const before = readFileSync(file);
  assert.throws(
    () => openLedger(file),
    (e: unknown) =>
      refusedAs("ledger_invalid")(e) &&
      /killed while writing it \(l\.db-journal is beside it\)/.test(String(e)),
  );
  assert.deepEqual(readFileSync(file), before);
  assert.ok(existsSync(`${file}-journal`), "the journal is left for whoever owns the file");
});
