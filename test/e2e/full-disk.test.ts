import assert from "node:assert/strict";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import type { RunSummary } from "../../src/run/index.js";
import { runCli } from "../helpers/cli.js";
import { liveRows, writeDump, writeMapping, type LegacyRow } from "../helpers/dumps.js";
import { authleteEnv, withEmulator } from "../helpers/emulator.js";
import { ledgerStatus } from "../helpers/ledger.js";
import { tempDir } from "../helpers/paths.js";

// Every file the CLI writes is capped at 256 KiB: the ledger of 3,000 rows outgrows it early.
const fullDisk = { fileSizeLimit: 256 * 1024 };

/** The arguments of a dry run over `rows` with the stock mapping, its ledger in `dir`. */
const dryRun = (dir: string, rows: LegacyRow[], ledger: string, extra: string[] = []) => [
  "migrate",
  writeDump(dir, "dump.csv", rows),
  "--mapping",
  writeMapping(dir),
  "--dry-run",
  "--ledger",
  join(dir, ledger),
  ...extra,
];

test("a ledger that can no longer be written stops the run with a coded error; the rerun on a freed disk loses and repeats nothing", async (t) => {
  const { emulator } = await withEmulator(t);
  const dir = tempDir(t);
  const rows = liveRows(3000);
  const args = [
    "migrate",
    writeDump(dir, "dump.csv", rows),
    "--mapping",
    writeMapping(dir),
    "--ledger",
    join(dir, "ledger.db"),
    "--json",
    "--rate",
    "5000",
  ];
  const full = await runCli(args, authleteEnv(emulator), fullDisk);
  assert.equal(full.code, 3, full.stderr);
  assert.match(
    full.stderr,
    /ledger\.db: the ledger cannot be written \(the file system refused a write: .*\); nothing more is sent\. .* and rerun: .* \[ledger_write_failed\]/,
  );
  assert.doesNotMatch(full.stderr, /\n\s+at /, "no stack trace");
  const sent = emulator.store.stats().tokens;
  assert.ok(sent > 0 && sent < rows.length, `${sent} tokens created before the ledger filled up`);
  // Marking the run aborted is itself a write: on a full disk it may not land; the rerun then takes over
  // the run its dead process left `running`.
  assert.match(ledgerStatus(join(dir, "ledger.db")).runs.at(-1)!.status, /^(aborted|running)$/);
  for (const r of rows.slice(0, 50))
    assert.ok(!full.stderr.includes(r.token) && !full.stdout.includes(r.token));

  const rerun = await runCli(args, authleteEnv(emulator));
  assert.equal(rerun.code, 0, rerun.stderr);
  const summary = JSON.parse(rerun.stdout) as RunSummary;
  assert.equal(summary.created + (summary.reasons.already_migrated ?? 0), rows.length);
  const stats = emulator.store.stats();
  assert.equal(stats.tokens, rows.length, "every row is in Authlete");
  assert.deepEqual(
    Object.entries(stats.creates).filter(([, n]) => n > 1),
    [],
    "no token was created twice",
  );
  const after = ledgerStatus(join(dir, "ledger.db"));
  assert.equal(after.states.created, rows.length);
  assert.deepEqual(
    after.runs.map((r) => r.status),
    ["aborted", "completed"],
  );
});

test("rejects.csv that cannot be written stops the run (recorded aborted); a --report that is a file stops it before it starts", async (t) => {
  const dir = tempDir(t);
  // 3,000 rejected rows: rejects.csv outgrows the cap, the dry run's ledger does not.
  const rows = liveRows(3000).map((r) => ({ ...r, client: "partner" }));
  const args = (report: string, ledger: string) => dryRun(dir, rows, ledger, ["--report", report]);
  const full = await runCli(args(join(dir, "report"), "a.db"), {}, fullDisk);
  assert.equal(full.code, 3, full.stderr);
  assert.match(
    full.stderr,
    /rejects\.csv cannot be written: the disk is full \(EFBIG\) \[report_write_failed\]/,
  );
  assert.equal(ledgerStatus(join(dir, "a.db")).runs.at(-1)?.status, "aborted");

  const notADir = join(dir, "report-file");
  writeFileSync(notADir, "");
  const refused = await runCli(args(notADir, "b.db"));
  assert.equal(refused.code, 2, refused.stderr);
  assert.match(refused.stderr, /--report: .*report-file cannot be written \((EEXIST|ENOTDIR)\) \[usage\]/);
  assert.deepEqual(ledgerStatus(join(dir, "b.db")).runs, [], "no run was recorded");
});

test("a dry run whose scratch file cannot grow stops with a coded error naming where it writes, and no stack", async (t) => {
  const dir = tempDir(t);
  const scratch = join(dir, "tmp");
  mkdirSync(scratch);
  // 70,000 rows: the first 4 MiB of records stay in memory, the rest (~3.5 MiB) outgrow the 2 MiB cap.
  const rows = liveRows(70_000);
  const run = await runCli(dryRun(dir, rows, "l.db"), { TMPDIR: scratch }, { fileSizeLimit: 2 << 20 });
  assert.equal(run.code, 3, run.stderr);
  assert.match(
    run.stderr,
    /a dry run's scratch file in .*tmp cannot be written \(EFBIG\): free space there or set TMPDIR .* \[ledger_write_failed\]/,
  );
  assert.doesNotMatch(run.stderr, /\n\s+at /, "no stack trace");
  assert.deepEqual(readdirSync(scratch), [], "the scratch file was unlinked at once");
});
