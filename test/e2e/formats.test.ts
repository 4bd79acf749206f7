import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import type { RunSummary } from "../../src/run/index.js";
import { probeTokenFor, tokenHash } from "../../src/shared/hash.js";
import { runCli } from "../helpers/cli.js";
import { liveRows, writeDump, writeMapping, type LegacyRow } from "../helpers/dumps.js";
import { authleteEnv, billingService, mobileApp, webApp, withEmulator } from "../helpers/emulator.js";
import { tempDir } from "../helpers/paths.js";

const iso = (ms: number) => new Date(ms).toISOString();

/** Live rows plus the special shapes: refresh-only, client credentials, persistent, expired, revoked. */
function sampleRows(now: number): { rows: LegacyRow[]; expected: LegacyRow[] } {
  const live = liveRows(6, now);
  const refreshOnly = { ...liveRows(1, now)[0]!, expires_at: iso(now - 60_000) };
  const clientCredentials = {
    ...liveRows(1, now)[0]!,
    client: "billing",
    user: null,
    refresh_token: null,
    scopes: "invoices:read",
  };
  const persistent = { ...liveRows(1, now)[0]!, expires_at: "never" };
  const expired = { ...liveRows(1, now)[0]!, expires_at: iso(now - 60_000), refresh_token: null };
  const revoked = { ...liveRows(1, now)[0]!, revoked_at: iso(now - 1000) };
  return {
    rows: [...live, refreshOnly, clientCredentials, persistent, expired, revoked],
    expected: [...live, refreshOnly, clientCredentials, persistent],
  };
}

for (const format of ["csv", "json", "ndjson", "csv.gz", "ndjson.gz"]) {
  test(`a ${format} dump lands every live token once with its client, subject, scopes and expiry`, async (t) => {
    const dir = tempDir(t);
    const { emulator } = await withEmulator(t);
    const now = Date.now();
    const { rows, expected } = sampleRows(now);
    const dump = writeDump(dir, `tokens.${format}`, rows);
    const result = await runCli(
      ["migrate", dump, "--mapping", writeMapping(dir), "--ledger", join(dir, "l.db"), "--json"],
      authleteEnv(emulator),
    );
    assert.equal(result.code, 0, result.stderr);
    const summary = JSON.parse(result.stdout) as Record<string, unknown>;
    assert.deepEqual(
      [summary.rows, summary.created, summary.skipped, summary.rejected, summary.failed],
      [rows.length, expected.length, 2, 0, 0],
    );
    assert.deepEqual(summary.reasons, { expired: 1, revoked: 1 });

    const stored = emulator.store.all();
    assert.equal(stored.length, expected.length, "nothing unexpected is stored");
    assert.ok(
      Object.values(emulator.store.stats().creates).every((n) => n === 1),
      "each token created once",
    );
    for (const row of expected) {
      const refreshOnly = Date.parse(row.expires_at ?? "") < now;
      const accessValue = refreshOnly ? probeTokenFor(row.refresh_token!) : row.token;
      const token = emulator.store.byAccessHash(tokenHash(accessValue));
      assert.ok(token, `row ${row.token.slice(0, 6)} is stored`);
      const clientId = row.client === "web" ? webApp : row.client === "mobile" ? mobileApp : billingService;
      assert.equal(token.clientId, clientId);
      assert.equal(token.subject, row.client === "billing" ? null : row.user);
      assert.deepEqual(token.scopes, row.scopes.split(" "));
      if (row.expires_at === "never") assert.equal(token.accessExpiresAt, null, "persistent");
      else if (!refreshOnly) {
        const legacy = Date.parse(row.expires_at!);
        assert.ok(token.accessExpiresAt! <= legacy, "never later than the legacy expiry");
        assert.ok(
          legacy - token.accessExpiresAt! <= 2000,
          `within 2 s (${legacy - token.accessExpiresAt!} ms)`,
        );
      }
      if (row.refresh_token) {
        assert.equal(token.refreshHash, tokenHash(row.refresh_token));
        const legacy = Date.parse(row.refresh_expires_at!);
        assert.ok(
          token.refreshExpiresAt! <= legacy && legacy - token.refreshExpiresAt! <= 2000,
          "refresh expiry within 2 s, never later",
        );
      } else {
        assert.ok(
          token.refreshHash === null || token.refreshExpiresAt! - token.createdAt <= 1000,
          "no live refresh token is handed out",
        );
      }
    }
  });
}

test("a dump piped to `migrate -` is read once from standard input: the same outcome as the file, never written to disk", async (t) => {
  const dir = tempDir(t);
  const { emulator } = await withEmulator(t);
  const rows = liveRows(12);
  const file = writeDump(dir, "tokens.csv", rows);
  const mapping = writeMapping(dir);
  const run = (source: string, ledger: string, extra: string[] = []) =>
    runCli(
      ["migrate", source, "--mapping", mapping, "--ledger", join(dir, ledger), "--json", ...extra],
      authleteEnv(emulator),
      {
        input: source === "-" ? readFileSync(file) : undefined,
      },
    );
  const outcome = (s: RunSummary) => [s.rows, s.created, s.skipped, s.rejected, s.reasons];
  const fromFile = JSON.parse((await run(file, "dry-file.db", ["--dry-run"])).stdout) as RunSummary;
  const piped = await run("-", "dry-pipe.db", ["--dry-run"]);
  assert.deepEqual(outcome(JSON.parse(piped.stdout) as RunSummary), outcome(fromFile));
  assert.match(piped.stderr, /reading the dump from standard input, once/);
  const live = await run("-", "live.db");
  assert.equal(live.code, 0, live.stderr);
  assert.equal((JSON.parse(live.stdout) as RunSummary).created, 12);
  assert.equal(emulator.store.stats().tokens, 12);
  const again = JSON.parse((await run("-", "live.db")).stdout) as RunSummary;
  assert.deepEqual([again.created, again.reasons], [0, { already_migrated: 12 }]);
  const both = await run("-", "x.db", [file]);
  assert.equal(both.code, 2);
  assert.match(both.stderr, /- \(standard input\) must be the only source \[usage\]/);
});
