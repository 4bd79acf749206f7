import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import type { RunSummary } from "../../src/run/index.js";
import { runCli } from "../helpers/cli.js";
import { liveRows, writeDump, writeMapping } from "../helpers/dumps.js";
import { authleteEnv, withEmulator } from "../helpers/emulator.js";
import { tempDir } from "../helpers/paths.js";

test("a dry run over two files holding the same tokens reports what the live run then does: counts, first rows, rejects.csv", async (t) => {
  const { emulator } = await withEmulator(t);
  const dir = tempDir(t);
  const rows = liveRows(8);
  rows[1]!.client = "partner"; // client_unknown
  rows[4]!.client = "partner";
  rows[6]!.user = null; // subject_missing
  // The second export holds every row of the first again: all of them repeat tokens read before.
  const files = [writeDump(dir, "a.csv", rows), writeDump(dir, "b.csv", rows)];
  const mapping = writeMapping(dir);
  const run = async (name: string, extra: string[]) => {
    const report = join(dir, name);
    const args = ["migrate", ...files, "--mapping", mapping, "--ledger", join(dir, `${name}.db`)];
    const result = await runCli([...args, "--report", report, "--json", ...extra], authleteEnv(emulator));
    assert.equal(result.code, 1, result.stderr);
    return {
      summary: JSON.parse(result.stdout) as RunSummary,
      rejects: readFileSync(join(report, "rejects.csv"), "utf8"),
    };
  };
  const dry = await run("dry", ["--dry-run"]);
  const live = await run("live", []);

  const at = (line: number) => `${files[0]}:${line}`;
  const outcome = (s: RunSummary) => [
    s.rows,
    s.created,
    s.skipped,
    s.rejected,
    s.failed,
    s.reasons,
    s.firstRows,
  ];
  assert.deepEqual(outcome(dry.summary), [
    16,
    5,
    8,
    3,
    0,
    { client_unknown: 2, subject_missing: 1, duplicate_in_source: 8 },
    {
      client_unknown: [at(3), at(6)],
      subject_missing: [at(8)],
      duplicate_in_source: [2, 3, 4, 5, 6].map((line) => `${files[1]}:${line}`),
    },
  ]);
  assert.deepEqual(outcome(live.summary), outcome(dry.summary), "the live run did what the dry run said");
  // Only the rows that stay rejected, once each, in row order: the second file's repeats are not there.
  const lines = dry.rejects.trimEnd().split("\n");
  assert.deepEqual(
    lines.slice(1).map((l) => l.split(",").slice(0, 4).join(",")),
    [`${files[0]},2,3,client_unknown`, `${files[0]},5,6,client_unknown`, `${files[0]},7,8,subject_missing`],
  );
  assert.equal(dry.rejects, live.rejects, "the dry run's rejects.csv is the live run's");
});

test("an export whose access tokens all expired long ago is called out (it cannot show revocations since), unless --now says when it was taken", async (t) => {
  const dir = tempDir(t);
  const takenAt = Date.now() - 540 * 86_400_000; // 18 months ago
  const rows = liveRows(4, takenAt).map((r, i) => ({
    ...r,
    // Refresh tokens that still live today: they would be migrated refresh-only.
    refresh_expires_at:
      i % 2 === 0 ? new Date(Date.now() + 10 * 86_400_000).toISOString() : r.refresh_expires_at,
  }));
  const args = ["migrate", writeDump(dir, "old.csv", rows), "--mapping", writeMapping(dir), "--dry-run"];
  const text = await runCli([...args, "--ledger", join(dir, "a.db")]);
  assert.match(
    text.stdout,
    /Warning: the newest access token in the sources expired \S+, 539 day\(s\) ago\. Is this an old export\?/,
  );
  const json = JSON.parse(
    (await runCli([...args, "--ledger", join(dir, "b.db"), "--json"])).stdout,
  ) as RunSummary;
  assert.equal(json.staleSource?.daysBehind, 539);
  const report = join(dir, "report");
  await runCli([...args, "--ledger", join(dir, "d.db"), "--report", report, "--quiet"]);
  assert.match(
    readFileSync(join(report, "report.html"), "utf8"),
    /<section id="stale-source"[^>]*><h2>An old export\?<\/h2><p>the newest access token in the sources expired/,
  );
  assert.ok(json.created > 0, "its live refresh tokens would be migrated: hence the warning");
  const asOfExport = ["--now", new Date(takenAt).toISOString(), "--json"];
  const planned = JSON.parse(
    (await runCli([...args, "--ledger", join(dir, "c.db"), ...asOfExport])).stdout,
  ) as RunSummary;
  assert.equal(planned.staleSource, undefined);
});

test("the stale-export signal counts every mapped row, whatever the service check decided later", async (t) => {
  const { emulator } = await withEmulator(t);
  const dir = tempDir(t);
  // Live rows of clients the service does not have: every row is refused after mapping.
  const mapping = writeMapping(dir, {
    columns: {
      accessToken: "token",
      clientId: "client",
      subject: "user",
      accessTokenExpiresAt: "expires_at",
    },
    clients: { web: 999_001, mobile: 999_002 },
    ignore: ["refresh_token", "scopes", "refresh_expires_at", "revoked_at"],
  });
  // Beside them, a token that expired ten days ago: alone it would make the export look old.
  const dump = writeDump(dir, "live.csv", [...liveRows(4), ...liveRows(1, Date.now() - 10 * 86_400_000)]);
  const run = await runCli(
    [
      "migrate",
      dump,
      "--mapping",
      mapping,
      "--ledger",
      join(dir, "l.db"),
      "--dry-run",
      "--check-service",
      "--json",
    ],
    authleteEnv(emulator),
  );
  const summary = JSON.parse(run.stdout) as RunSummary;
  assert.equal(summary.reasons.client_not_in_service, 4, run.stdout);
  assert.equal(summary.staleSource, undefined, "the tokens are live: no stale-export warning");
});
