import assert from "node:assert/strict";
import { readFileSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import type { RunSummary } from "../../src/run/index.js";
import { runCli } from "../helpers/cli.js";
import { generatedMapping, liveRows, writeDump, writeMapping } from "../helpers/dumps.js";
import { authleteEnv, callsAnswered, withEmulator } from "../helpers/emulator.js";
import { ledgerStatus } from "../helpers/ledger.js";
import { tempDir } from "../helpers/paths.js";

/** What a run counted, row by row: what a rerun must count the same whichever way it went. */
const counted = (s: RunSummary) => ({
  rows: s.rows,
  states: [s.created, s.skipped, s.rejected, s.failed, s.pending],
  reasons: s.reasons,
  firstRows: s.firstRows,
  perClient: s.perClient,
  unmappedClients: s.unmappedClients,
});

test("a rerun with nothing left to send settles every row from the ledger and does not read the service; its counts are the dry run's", async (t) => {
  const dir = tempDir(t);
  const { emulator } = await withEmulator(t);
  const hour = 3600_000;
  const rows = [
    ...liveRows(40),
    { ...liveRows(1)[0]!, expires_at: new Date(Date.now() - hour).toISOString(), refresh_token: null },
    { ...liveRows(1)[0]!, revoked_at: new Date(Date.now() - hour).toISOString() },
    { ...liveRows(1)[0]!, client: "unknown-client" },
  ];
  const args = [
    "migrate",
    writeDump(dir, "d.csv", rows),
    "--mapping",
    writeMapping(dir),
    "--ledger",
    join(dir, "l.db"),
  ];
  const first = JSON.parse((await runCli([...args, "--json"], authleteEnv(emulator))).stdout) as RunSummary;
  assert.equal(first.created, 40);
  const callsBefore = callsAnswered(emulator);

  const run = await runCli([...args, "--json"], authleteEnv(emulator));
  assert.equal(run.code, first.rejected > 0 ? 1 : 0, run.stderr);
  const rerun = JSON.parse(run.stdout) as RunSummary;
  assert.equal(callsAnswered(emulator), callsBefore, "not one call: the service was not even read");
  assert.match(rerun.serviceNotRead ?? "", /nothing was left to send, so the service was not read/);
  assert.equal(rerun.writer, undefined);
  assert.deepEqual(rerun.reasons.already_migrated, 40);
  // What the sources ask of the service is carried over: a later run that reads it need not scan them.
  assert.deepEqual(rerun.serviceUsage, first.serviceUsage);
  // A dry run over the same ledger plans every row as the rerun settled it.
  const dry = JSON.parse((await runCli([...args, "--dry-run", "--json"])).stdout) as RunSummary;
  assert.deepEqual(counted(rerun), counted(dry));
  // The text report says why there is no service check in it.
  const text = await runCli([...args, "--report", join(dir, "report")], authleteEnv(emulator));
  assert.match(text.stdout, /Service: every row was already settled by an earlier run/);
  // Rows settled before the service was to be read are in rejects.csv as any other rejected row.
  assert.match(readFileSync(join(dir, "report", "rejects.csv"), "utf8"), /d\.csv,43,44,client_unknown,/);
  assert.match(
    readFileSync(join(dir, "report", "report.html"), "utf8"),
    /<section id="service-check"><h2>Service check<\/h2><p>every row was already settled by an earlier run/,
  );
});

test("a rerun with a row that needs the service reads it before that row is admitted (a refused bearer records nothing), and counts as a run that read it first would", async (t) => {
  const dir = tempDir(t);
  const { emulator } = await withEmulator(t);
  const rows = liveRows(30);
  // A client the service lacks: the service check has that row rejected, not sent.
  rows[20] = { ...rows[20]!, client: "elsewhere" };
  const mapping = writeMapping(dir, {
    ...generatedMapping,
    clients: { ...generatedMapping.clients, elsewhere: 26888344961699 },
  });
  const ledger = join(dir, "l.db");
  const args = ["migrate", writeDump(dir, "d.csv", rows), "--mapping", mapping, "--ledger", ledger, "--json"];
  const first = JSON.parse((await runCli(args, authleteEnv(emulator))).stdout) as RunSummary;
  assert.deepEqual([first.created, first.reasons.client_not_in_service], [29, 1]);

  // With --retry-rejected, row 21 needs the service: a refused bearer stops the rerun there, recording nothing.
  const runsBefore = ledgerStatus(ledger).runs.length;
  const refused = await runCli([...args, "--retry-rejected"], {
    ...authleteEnv(emulator),
    AUTHLETE_BEARER: "not-the-bearer",
  });
  assert.equal(refused.code, 3, refused.stdout);
  assert.match(refused.stderr, /refused the credentials.*\[authentication_failed\]/);
  assert.equal(
    ledgerStatus(ledger).runs.length,
    runsBefore,
    "no run recorded: the service was read before row 21 was",
  );

  const creates = emulator.store.stats().calls["auth/token/create"];
  const retried = await runCli([...args, "--retry-rejected"], authleteEnv(emulator));
  const summary = JSON.parse(retried.stdout) as RunSummary;
  assert.equal(summary.serviceNotRead, undefined);
  assert.ok(
    summary.serviceFindings?.some((f) => f.code === "client_not_in_service"),
    retried.stdout,
  );
  // The service's verdict still applies to the row it was read for: rejected again, never sent.
  assert.deepEqual([summary.reasons.already_migrated, summary.reasons.client_not_in_service], [29, 1]);
  assert.equal(emulator.store.stats().calls["auth/token/create"], creates);
  const dry = JSON.parse(
    (await runCli([...args, "--retry-rejected", "--dry-run", "--check-service"], authleteEnv(emulator)))
      .stdout,
  ) as RunSummary;
  assert.deepEqual(counted(summary), counted(dry));
});

test("a rerun whose source breaks before a row needs the service reports the broken source, not the service", async (t) => {
  const dir = tempDir(t);
  const { emulator } = await withEmulator(t);
  const dump = writeDump(dir, "d.csv.gz", liveRows(300));
  const ledger = join(dir, "l.db");
  const args = ["migrate", dump, "--mapping", writeMapping(dir), "--ledger", ledger, "--json"];
  assert.equal((await runCli(args, authleteEnv(emulator))).code, 0);
  // The same size and time, so the rerun takes it for the source the completed run read; but its gzip
  // header now names no compression method zlib knows: reading fails before its first row.
  const { atime, mtimeMs } = statSync(dump);
  const bytes = readFileSync(dump);
  bytes[2] = 99;
  writeFileSync(dump, bytes);
  // A source's time is kept to the millisecond (rows/sources.ts).
  utimesSync(dump, atime, Math.round(mtimeMs) / 1000);
  const broken = await runCli(args, { ...authleteEnv(emulator), AUTHLETE_BEARER: "not-the-bearer" });
  assert.equal(broken.code, 2, broken.stderr);
  assert.match(broken.stderr, /\[source_invalid\]/);
  assert.doesNotMatch(broken.stderr, /authentication_failed/);
  assert.equal(
    ledgerStatus(ledger).runs.at(-1)?.status,
    "aborted",
    "recorded with the run, as any source error",
  );
});
