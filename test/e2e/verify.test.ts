import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { tokenManagementCreate } from "@authlete/typescript-sdk/funcs/tokenManagementCreate.js";
import { tokenManagementDelete } from "@authlete/typescript-sdk/funcs/tokenManagementDelete.js";
import { tokenManagementUpdate } from "@authlete/typescript-sdk/funcs/tokenManagementUpdate.js";
import Database from "better-sqlite3";
import type { RunSummary } from "../../src/run/index.js";
import type { VerifySummary } from "../../src/checks/index.js";
import { runCli } from "../helpers/cli.js";
import { liveRows, writeDump, writeMapping } from "../helpers/dumps.js";
import { authleteEnv, mobileApp, serviceId, withEmulator } from "../helpers/emulator.js";
import { tempDir } from "../helpers/paths.js";

test("verify finds every kind of mismatch, records each verdict, and exits 1", async (t) => {
  const dir = tempDir(t);
  const { emulator, authlete } = await withEmulator(t);
  const env = authleteEnv(emulator);
  const rows = liveRows(8);
  const dump = writeDump(dir, "t.csv", rows);
  const mapping = writeMapping(dir);
  const ledger = join(dir, "l.db");
  assert.equal((await runCli(["migrate", dump, "--mapping", mapping, "--ledger", ledger], env)).code, 0);
  emulator.advanceClock(2000); // rows without a refresh token get a 1-second refresh lifetime
  const clean = await runCli(
    ["verify", dump, "--mapping", mapping, "--ledger", ledger, "--all", "--json"],
    env,
  );
  assert.equal(clean.code, 0, clean.stdout + clean.stderr);
  assert.deepEqual(JSON.parse(clean.stdout), {
    runId: 2,
    migrated: 8,
    verified: 8,
    matched: 8,
    mismatches: {},
    mismatchRows: [],
  });

  const update = (token: string, change: Record<string, unknown>) =>
    tokenManagementUpdate(authlete.core, {
      serviceId,
      tokenUpdateRequest: { accessToken: token, ...change },
    });
  await tokenManagementDelete(authlete.core, { serviceId, accessTokenIdentifier: rows[0]!.token });
  await update(rows[1]!.token, { scopes: ["openid"] });
  await update(rows[3]!.token, { accessTokenExpiresAt: Date.parse(rows[3]!.expires_at!) + 3_600_000 });
  await tokenManagementDelete(authlete.core, { serviceId, accessTokenIdentifier: rows[4]!.token });
  await tokenManagementCreate(authlete.core, {
    serviceId,
    tokenCreateRequest: {
      grantType: "AUTHORIZATION_CODE",
      clientId: mobileApp,
      subject: "mallory",
      scopes: rows[4]!.scopes.split(" "),
      accessToken: rows[4]!.token,
      accessTokenDuration: Math.floor((Date.parse(rows[4]!.expires_at!) - Date.now()) / 1000) - 1,
      refreshTokenDuration: 1,
    },
  });
  emulator.advanceClock(2000);
  const found = await runCli(
    ["verify", dump, "--mapping", mapping, "--ledger", ledger, "--all", "--json"],
    env,
  );
  assert.equal(found.code, 1);
  const summary = JSON.parse(found.stdout) as VerifySummary;
  assert.equal(summary.matched, 4);
  assert.deepEqual(summary.mismatches, {
    missing: 1,
    scopes: 1,
    expiry: 1,
    client: 1,
    subject: 1,
    refreshable: 1,
  });

  const db = new Database(ledger, { readonly: true });
  t.after(() => db.close());
  const verdicts = db.prepare("SELECT result FROM verifications WHERE run_id = 3").pluck().all() as string[];
  assert.equal(verdicts.length, 8);
  assert.equal(verdicts.filter((v) => v === "match").length, 4);

  const sampled = JSON.parse(
    (await runCli(["verify", dump, "--mapping", mapping, "--ledger", ledger, "--sample", "3", "--json"], env))
      .stdout,
  ) as VerifySummary;
  assert.deepEqual([sampled.migrated, sampled.verified], [8, 3]);
});

test("verify checks a token repeated in the dump once, and names each mismatch: row, fingerprint, field, both values", async (t) => {
  const dir = tempDir(t);
  const { emulator, authlete } = await withEmulator(t);
  const env = authleteEnv(emulator);
  const rows = liveRows(2); // both with refresh tokens (a row without gets a 1-second one)
  // The export repeats row 1 with other scopes (a join that fans out): one token, not two.
  const dump = writeDump(dir, "t.csv", [...rows, { ...rows[0]!, scopes: "openid" }]);
  const mapping = writeMapping(dir);
  const ledger = join(dir, "l.db");
  assert.equal((await runCli(["migrate", dump, "--mapping", mapping, "--ledger", ledger], env)).code, 0);
  const verifyAll = (extra: string[] = []) =>
    runCli(["verify", dump, "--mapping", mapping, "--ledger", ledger, "--all", ...extra], env);
  const clean = JSON.parse((await verifyAll(["--json"])).stdout) as VerifySummary;
  assert.deepEqual([clean.migrated, clean.verified, clean.matched, clean.mismatches], [2, 2, 2, {}]);

  await tokenManagementUpdate(authlete.core, {
    serviceId,
    tokenUpdateRequest: { accessToken: rows[1]!.token, scopes: ["openid"] },
  });
  const found = await verifyAll();
  assert.equal(found.code, 1);
  assert.match(
    found.stdout,
    new RegExp(
      `^  ${dump.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:3 sha256:[\\w-]{8} scopes: scopes "openid" at Authlete, legacy "${rows[1]!.scopes.split(" ").sort().join(" ")}"$`,
      "m",
    ),
  );
  assert.ok(!found.stdout.includes(rows[1]!.token), "a fingerprint, never the value");

  // The migrate run's report shows the latest verdict, with the row that differs.
  const out = join(dir, "report");
  assert.equal((await runCli(["report", "--ledger", ledger, "--out", out])).code, 0);
  const html = readFileSync(join(out, "report.html"), "utf8");
  const section = /<section id="checks">.*?<\/section>/s.exec(html)?.[0] ?? "";
  assert.match(section, /data-check="verify" data-verdict="mismatch"><h3>verify [^<]*: run 3,/);
  assert.match(section, /✘ 2 of 2 migrated tokens checked: 1 match; differences: scopes 1/);
  assert.match(section, /<td>[^<]*t\.csv:3<\/td><td><code>sha256:[\w-]{8}<\/code><\/td><td>scopes<\/td>/);
  assert.ok(!html.includes(rows[1]!.token), "a fingerprint, never the value");
  const json = JSON.parse(readFileSync(join(out, "report.json"), "utf8")) as RunSummary;
  assert.deepEqual(
    json.checks?.map((c) => [c.check, c.runId, c.matched, c.mismatches]),
    [["verify", 3, 1, { scopes: 1 }]],
  );

  const status = await runCli(["status", "--ledger", ledger]);
  assert.match(status.stdout, /#2 \S+ dry run completed verify: 2 of 2 migrated tokens checked, 2 match/);
  assert.match(status.stdout, /#3 \S+ dry run completed verify: 2 of 2 migrated tokens checked, 1 match/);

  const badNow = await runCli(
    ["verify", dump, "--mapping", mapping, "--ledger", ledger, "--now", "not-a-time"],
    env,
  );
  assert.equal(badNow.code, 2);
  assert.match(badNow.stderr, /--now must be an ISO 8601 time; got "not-a-time" \[usage\]/);
});
