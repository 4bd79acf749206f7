import assert from "node:assert/strict";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { runCli } from "../helpers/cli.js";
import { generatedMapping } from "../helpers/dumps.js";
import { tempDir } from "../helpers/paths.js";
import { hasPostgres, startPostgres } from "./postgres.js";

const skip =
  !hasPostgres() && !process.env.CI && "Debian's postgresql is not installed (.ci/run installs it)";

const columns = 'token, refresh_token, client, "user", scopes, expires_at, refresh_expires_at, revoked_at';
const plain = `COPY (SELECT ${columns} FROM legacy_tokens) TO STDOUT WITH CSV HEADER`;

test(
  "a mapping's export query that could write, lock, run a command or read a server file is refused before connecting, and the legacy database is unchanged",
  { skip },
  async (t) => {
    const pg = await startPostgres(t);
    const dir = tempDir(t);
    const marker = join(dir, "program-ran");
    pg.psql("postgres", "CREATE DATABASE legacy");
    pg.psql(
      "legacy",
      `CREATE TABLE legacy_tokens (id serial PRIMARY KEY, token text, refresh_token text, client text, "user" text, scopes text, expires_at text, refresh_expires_at text, revoked_at text);
       CREATE TABLE audit (n int);
       INSERT INTO legacy_tokens (token, client, "user", scopes, expires_at) VALUES ('tok-one-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'web', 'u1', 'read', 'never');
       CREATE FUNCTION public.lower(n integer) RETURNS text LANGUAGE sql AS 'INSERT INTO audit VALUES (1) RETURNING ''x''';`,
    );
    const state = () =>
      pg.psql(
        "legacy",
        "SELECT (SELECT count(*) FROM legacy_tokens) || '/' || (SELECT count(*) FROM audit) || '/' || (SELECT count(*) FROM pg_tables WHERE schemaname = 'public')",
      );
    const before = state();
    assert.equal(before.trim(), "1/0/2");
    const env = { PGHOST: "127.0.0.1", PGPORT: String(pg.port), PGUSER: "postgres", PGDATABASE: "legacy" };
    const run = async (query: string) => {
      const mapping = join(dir, "mapping.json");
      writeFileSync(mapping, JSON.stringify({ ...generatedMapping, export: { postgresql: query } }));
      return runCli(
        [
          "migrate",
          "postgresql:",
          "--mapping",
          mapping,
          "--ledger",
          join(dir, "l.db"),
          "--dry-run",
          "--json",
        ],
        env,
      );
    };
    const hostile: [string, RegExp][] = [
      [
        `COPY (WITH d AS (INSERT INTO audit VALUES (1) RETURNING 1) SELECT ${columns} FROM legacy_tokens, d) TO STDOUT WITH CSV HEADER`,
        /holds a INSERT, which writes/,
      ],
      [`${plain}; DROP TABLE audit`, /holds 2 statements, not one/],
      [
        `COPY (DELETE FROM legacy_tokens RETURNING ${columns}) TO STDOUT WITH CSV HEADER`,
        /copied query is a DeleteStmt, not a SELECT/,
      ],
      [`COPY (SELECT ${columns} FROM legacy_tokens) TO PROGRAM 'touch ${marker}' WITH CSV HEADER`, /PROGRAM/],
      [`COPY (SELECT ${columns} FROM legacy_tokens) TO '${marker}' WITH CSV HEADER`, /to a file/],
      [`COPY legacy_tokens FROM STDIN WITH CSV HEADER`, /COPY … FROM/],
      [`COPY (SELECT ${columns} FROM legacy_tokens FOR UPDATE) TO STDOUT WITH CSV HEADER`, /FOR UPDATE/],
      [
        `COPY (SELECT ${columns}, pg_terminate_backend(1) FROM legacy_tokens) TO STDOUT WITH CSV HEADER`,
        /calls pg_terminate_backend\(\)/,
      ],
      [
        `COPY (SELECT ${columns}, lo_export(1, '${marker}') FROM legacy_tokens) TO STDOUT WITH CSV HEADER`,
        /calls lo_export\(\)/,
      ],
      [`COPY (SELECT ${columns} FROM legacy_tokens) TO STDOUT WITH (FORMAT binary, HEADER)`, /FORMAT csv/],
      [`SELECT ${columns} FROM legacy_tokens`, /is a SelectStmt, not a COPY/],
      ["COPY (SELEC 1) TO STDOUT", /parser does not read it/],
    ];
    for (const [query, reason] of hostile) {
      const refused = await run(query);
      assert.equal(refused.code, 2, `${query}\n${refused.stderr}`);
      assert.match(refused.stderr, reason, query);
      assert.match(refused.stderr, /\[mapping_invalid\]/, query);
    }
    // What the parser cannot see, the READ ONLY transaction stops: a user-defined overload of a
    // listed function name that writes.
    const overload = await run(
      `COPY (SELECT ${columns}, lower(1) AS x FROM legacy_tokens) TO STDOUT WITH CSV HEADER`,
    );
    assert.equal(overload.code, 2, overload.stderr);
    assert.match(overload.stderr, /read-only transaction/);
    assert.equal(state(), before, "the legacy database is unchanged");
    assert.equal(existsSync(marker), false, "no command ran and no file was written on the database host");

    const read = await run(plain);
    assert.equal(read.code, 0, read.stderr);
    assert.equal((JSON.parse(read.stdout) as { rows: number }).rows, 1);
    assert.match(read.stderr, /runs this query, read-only: COPY \(SELECT token/);
  },
);
