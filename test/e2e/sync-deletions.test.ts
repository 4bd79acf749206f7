import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { constants, gunzipSync, gzipSync } from "node:zlib";
import type { RunSummary } from "../../src/run/index.js";
import { formatSummary } from "../../src/report/index.js";
import { tokenHash } from "../../src/shared/hash.js";
import { runCli } from "../helpers/cli.js";
import { generatedMapping, liveRows, writeDump, writeMapping, type LegacyRow } from "../helpers/dumps.js";
import { authleteEnv, withEmulator } from "../helpers/emulator.js";
import { tempDir } from "../helpers/paths.js";

/** A ledger with 30 tokens migrated from a complete export, and a way to run catch-ups on it. */
async function migrated(t: TestContext, mapping: unknown = generatedMapping) {
  const dir = tempDir(t);
  const { emulator } = await withEmulator(t);
  const env = authleteEnv(emulator);
  const rows = liveRows(30);
  const mappingFile = writeMapping(dir, mapping);
  const ledger = join(dir, "l.db");
  const run = (source: string, extra: string[] = [], input?: string | Buffer) =>
    runCli(["migrate", source, "--mapping", mappingFile, "--ledger", ledger, "--json", ...extra], env, {
      input,
    });
  const full = writeDump(dir, "full.csv", rows);
  const first = await run(full);
  assert.equal(first.code, 0, first.stderr);
  assert.equal(emulator.store.stats().tokens, 30);
  const held = () => rows.filter((r) => emulator.store.byAccessHash(tokenHash(r.token)) !== undefined).length;
  return { dir, rows, run, held, full, emulator };
}

const summaryOf = (stdout: string) => JSON.parse(stdout) as RunSummary;

test("--sync-deletions over a pipe that zcat cut short (a truncated gzip) revokes nothing: refused without --expect-rows, and refused when the count differs", async (t) => {
  const { dir, rows, run, held } = await migrated(t);
  const gz = gzipSync(readFileSync(writeDump(dir, "again.csv", rows)));
  // What `zcat half.csv.gz` writes before "unexpected end of file": the text it could decompress.
  const cut = gunzipSync(gz.subarray(0, Math.floor(gz.length / 2)), { finishFlush: constants.Z_SYNC_FLUSH });
  assert.ok(cut.length > 0 && cut.length < readFileSync(join(dir, "again.csv")).length);

  const unproven = await run("-", ["--sync-deletions"], cut);
  assert.equal(unproven.code, 2, unproven.stderr);
  assert.match(unproven.stderr, /--sync-deletions over standard input.*--expect-rows N.*\[usage\]/);
  assert.equal(held(), 30, "nothing revoked");

  const counted = await run("-", ["--sync-deletions", "--expect-rows", "30"], cut);
  assert.equal(counted.code, 3, counted.stderr);
  const s = summaryOf(counted.stdout);
  assert.match(s.deletions!.refused!, /the sources held \d+ rows, not the 30 that --expect-rows states/);
  assert.ok(s.deletions!.planned > 0, "tokens after the cut look deleted");
  assert.equal(s.reasons.deleted_in_source, undefined);
  assert.match(counted.stderr, /revoked nothing.*\[deletions_refused\]/);
  assert.equal(held(), 30, "nothing revoked");

  const whole = await run(
    "-",
    ["--sync-deletions", "--expect-rows", "30"],
    readFileSync(join(dir, "again.csv")),
  );
  assert.equal(whole.code, 0, whole.stderr);
  assert.deepEqual(summaryOf(whole.stdout).deletions, { planned: 0, cap: 10, first: [] });
});

test("--sync-deletions over a file cut mid-row or inside its last field revokes nothing, and names why", async (t) => {
  const { dir, rows, run, held } = await migrated(t);
  const text = readFileSync(writeDump(dir, "whole.csv", rows), "utf8");
  const midRow = join(dir, "mid-row.csv");
  writeFileSync(midRow, text.slice(0, text.indexOf("\n", text.length / 2) + 12));
  const cutRow = await run(midRow, ["--sync-deletions"]);
  assert.equal(cutRow.code, 3, cutRow.stderr);
  assert.match(
    summaryOf(cutRow.stdout).deletions!.refused!,
    /1 row\(s\) could not be read \(malformed_row\)/,
  );
  assert.equal(held(), 30);

  // Cut inside the last row's last field: the row parses (its revoked_at is empty), the file has no end.
  const lastField = join(dir, "last-field.csv");
  const lines = text.trimEnd().split("\n").slice(0, 12);
  writeFileSync(lastField, lines.join("\n"));
  const cutField = await run(lastField, ["--sync-deletions"]);
  assert.equal(cutField.code, 3, cutField.stderr);
  assert.match(
    summaryOf(cutField.stdout).deletions!.refused!,
    /last-field\.csv does not end with a line ending/,
  );
  assert.equal(held(), 30);
});

test("--sync-deletions stops before the first revocation over the cap; the dry run plans exactly what the live run revokes; a wrongly revoked token live in a later complete export is created again", async (t) => {
  const { dir, rows, run, held, full } = await migrated(t);
  const partial = writeDump(dir, "partial.csv", rows.slice(0, 10));

  const capped = await run(partial, ["--sync-deletions"]);
  assert.equal(capped.code, 3, capped.stderr);
  const refused = summaryOf(capped.stdout).deletions!;
  assert.equal(refused.planned, 20);
  assert.match(
    refused.refused!,
    /20 tokens are gone from the sources, over the cap of 10 .*--max-revocations 20/,
  );
  assert.equal(held(), 30, "nothing revoked");

  const args = ["--sync-deletions", "--max-revocations", "20"];
  const dry = summaryOf((await run(partial, [...args, "--dry-run"])).stdout);
  const live = await run(partial, args);
  assert.equal(live.code, 0, live.stderr);
  const done = summaryOf(live.stdout);
  assert.deepEqual(dry.deletions, done.deletions, "the dry run shows the live run's revocations");
  assert.equal(done.deletions!.first.length, 5);
  assert.deepEqual(done.deletions!.first[0], {
    file: full,
    line: 12,
    token: `sha256:${tokenHash(rows[10]!.token).slice(0, 8)}`,
  });
  assert.equal(dry.reasons.deleted_in_source, 20);
  const shown = formatSummary(dry);
  assert.match(shown, /Deletions: would revoke 20 token\(s\) gone from the sources \(cap 20\)/);
  assert.ok(shown.includes(`full.csv:12 sha256:${tokenHash(rows[10]!.token).slice(0, 8)}`), shown);
  assert.match(
    formatSummary(summaryOf(capped.stdout)),
    /revoked none of 20 token\(s\).*\n(.*\n)*.*over the cap of 10/,
  );
  assert.equal(done.reasons.deleted_in_source, 20);
  assert.equal(held(), 10);
  for (const out of [capped.stdout, live.stdout])
    assert.ok(!rows.some((r) => out.includes(r.token)), "no value shown");

  // The partial export was the mistake: the complete one holds the 20 again, live at the legacy server.
  const preview = summaryOf((await run(full, ["--sync-deletions", "--dry-run"])).stdout);
  const restored = await run(full, ["--sync-deletions"]);
  assert.equal(restored.code, 0, restored.stderr);
  const back = summaryOf(restored.stdout);
  assert.equal(back.created, 20);
  assert.equal(preview.created, 20, "the dry run says so too");
  assert.equal(held(), 30);
});

test("a source that revokes by deleting rows: a rerun over the same unchanged export asks for no sync choice", async (t) => {
  const { run, full, held } = await migrated(t, { ...generatedMapping, revokesByDeleting: true });
  const resumed = await run(full);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.equal(summaryOf(resumed.stdout).reasons.already_migrated, 30);
  assert.equal(held(), 30);
  const other = writeDump(join(full, ".."), "newer.csv", liveRows(1) as LegacyRow[]);
  const changed = await run(other);
  assert.equal(changed.code, 2, "a different export still needs the choice");
});
