import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import type { RunSummary } from "../../src/run/index.js";
import { setTimeout as sleep } from "node:timers/promises";
import { runCli, startCli } from "../helpers/cli.js";
import { generatedMapping, liveRows } from "../helpers/dumps.js";
import { authleteEnv, withEmulator } from "../helpers/emulator.js";
import { tempDir } from "../helpers/paths.js";
import { hasPostgres, startPostgres } from "./postgres.js";

const skip =
  !hasPostgres() && !process.env.CI && "Debian's postgresql is not installed (.ci/run installs it)";

const exportQuery =
  'COPY (SELECT token, refresh_token, client, "user", scopes, expires_at, refresh_expires_at, revoked_at FROM legacy_tokens ORDER BY id) TO STDOUT WITH CSV HEADER';

test(
  "postgresql: reads the legacy database with the mapping's export query (credentials from PG* variables): the rows psql exports, nothing on disk",
  { skip },
  async (t) => {
    const pg = await startPostgres(t);
    pg.psql("postgres", "CREATE DATABASE legacy");
    pg.psql(
      "legacy",
      'CREATE TABLE legacy_tokens (id serial PRIMARY KEY, token text, refresh_token text, client text, "user" text, scopes text, expires_at text, refresh_expires_at text, revoked_at text)',
    );
    const rows = liveRows(40);
    rows[3]!.revoked_at = new Date(Date.now() - 60_000).toISOString();
    const literal = (v: string | null) => (v === null ? "NULL" : `'${v.replace(/'/g, "''")}'`);
    pg.psql(
      "legacy",
      `INSERT INTO legacy_tokens (token, refresh_token, client, "user", scopes, expires_at, refresh_expires_at, revoked_at) VALUES ${rows
        .map((r) =>
          [
            r.token,
            r.refresh_token,
            r.client,
            r.user,
            r.scopes,
            r.expires_at,
            r.refresh_expires_at,
            r.revoked_at,
          ]
            .map(literal)
            .join(", "),
        )
        .map((v) => `(${v})`)
        .join(", ")}`,
    );
    const dir = tempDir(t);
    const mapping = join(dir, "mapping.json");
    writeFileSync(mapping, JSON.stringify({ ...generatedMapping, export: { postgresql: exportQuery } }));
    const dump = join(dir, "export.csv");
    writeFileSync(dump, pg.psql("legacy", exportQuery));
    const { emulator } = await withEmulator(t);
    const pgEnv = { PGHOST: "127.0.0.1", PGPORT: String(pg.port), PGUSER: "postgres", PGDATABASE: "legacy" };
    const run = (source: string, ledger: string, extra: string[] = []) =>
      runCli(["migrate", source, "--mapping", mapping, "--ledger", join(dir, ledger), "--json", ...extra], {
        ...authleteEnv(emulator),
        ...pgEnv,
      });
    const outcome = (s: RunSummary) => [s.rows, s.created, s.skipped, s.rejected, s.reasons];

    const fromFile = JSON.parse((await run(dump, "file.db", ["--dry-run"])).stdout) as RunSummary;
    const fromDatabase = await run("postgresql:", "db-dry.db", ["--dry-run"]);
    assert.equal(fromDatabase.code, 0, fromDatabase.stderr);
    assert.deepEqual(outcome(JSON.parse(fromDatabase.stdout) as RunSummary), outcome(fromFile));
    assert.deepEqual(outcome(fromFile), [40, 39, 1, 0, { revoked: 1 }]);

    const live = await run("postgresql:", "live.db");
    assert.equal(live.code, 0, live.stderr);
    assert.equal(emulator.store.stats().tokens, 39);
    // verify reads the database with the mapping's query too.
    const verified = await runCli(
      ["verify", "postgresql:", "--mapping", mapping, "--ledger", join(dir, "live.db"), "--all"],
      { ...authleteEnv(emulator), ...pgEnv },
    );
    assert.match(verified.stdout, /^Verified 39 of 39 migrated tokens: /, verified.stderr);
    // On this service (tokenExpirationLinked off) a row without a refresh token is sent with a generated one
    // of 1 s: a verify within that second sees it alive. Nothing else may differ.
    const mismatches = verified.stdout.split("\n").slice(1).filter(Boolean);
    for (const line of mismatches)
      assert.match(line, /refreshable: refreshable true at Authlete, legacy false$/, verified.stdout);

    const refused = await runCli(
      ["migrate", "postgresql:", "--mapping", mapping, "--ledger", join(dir, "x.db"), "--dry-run"],
      { ...pgEnv, PGPORT: "1" },
    );
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /postgresql: .*ECONNREFUSED.*\[source_invalid\]/);
  },
);

test(
  "SIGTERM during a slow export query cancels it at the server and ends the run (nothing left running in the legacy database)",
  { skip },
  async (t) => {
    const pg = await startPostgres(t);
    pg.psql("postgres", "CREATE DATABASE legacy");
    // A view the database owner made slow: the export query itself is a plain read of it.
    pg.psql(
      "legacy",
      `CREATE VIEW slow_tokens AS SELECT 'T' || pg_sleep(600)::text AS token, NULL::text AS refresh_token, 'web' AS client, 'alice' AS "user", 'openid' AS scopes, '2099-01-01T00:00:00Z' AS expires_at, NULL::text AS refresh_expires_at, NULL::text AS revoked_at`,
    );
    const dir = tempDir(t);
    const mapping = join(dir, "mapping.json");
    const query =
      'COPY (SELECT token, refresh_token, client, "user", scopes, expires_at, refresh_expires_at, revoked_at FROM slow_tokens) TO STDOUT WITH CSV HEADER';
    writeFileSync(mapping, JSON.stringify({ ...generatedMapping, export: { postgresql: query } }));
    const pgEnv = { PGHOST: "127.0.0.1", PGPORT: String(pg.port), PGUSER: "postgres", PGDATABASE: "legacy" };
    const running = () =>
      Number(
        pg.psql(
          "legacy",
          "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE 'COPY (SELECT token%'",
        ),
      );
    const run = startCli(
      ["migrate", "postgresql:", "--mapping", mapping, "--ledger", join(dir, "l.db"), "--dry-run", "--quiet"],
      pgEnv,
    );
    for (let i = 0; running() === 0; i++) {
      if (i > 600) assert.fail("the export query never started");
      await sleep(100);
    }
    run.child.kill("SIGTERM");
    // Bounded: a query waited for rather than cancelled would keep the process 10 minutes. The deadline
    // does not hold the test's own process open once the run has ended (it kept this file 60 s longer).
    const deadline = sleep(60_000, undefined, { ref: false }).then(() => undefined);
    const ended = await Promise.race([run.result, deadline]);
    assert.ok(ended, "the run ended after SIGTERM, without waiting for the query");
    assert.equal(ended.code, 3, ended.stderr);
    for (let i = 0; running() > 0; i++) {
      if (i > 100) assert.fail("the export query is still running in the legacy database");
      await sleep(100);
    }
  },
);
