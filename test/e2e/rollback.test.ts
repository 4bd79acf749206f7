import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { test } from "node:test";
import { tokenManagementCreate } from "@authlete/typescript-sdk/funcs/tokenManagementCreate.js";
import type { RollbackSummary } from "../../src/rollback/index.js";
import { runCli } from "../helpers/cli.js";
import { liveRows, writeDump, writeMapping } from "../helpers/dumps.js";
import { authleteEnv, serviceId, webApp, withEmulator } from "../helpers/emulator.js";
import { tempDir } from "../helpers/paths.js";

const iso = (ms: number) => new Date(ms).toISOString();

test("rollback deletes exactly what a run created (refresh-only rows too), is safe to rerun, and a later run creates them again", async (t) => {
  const dir = tempDir(t);
  const { emulator, authlete } = await withEmulator(t);
  const foreign = await tokenManagementCreate(authlete.core, {
    serviceId,
    tokenCreateRequest: {
      grantType: "AUTHORIZATION_CODE",
      clientId: webApp,
      subject: "not-ours",
      accessToken: "ForeignTokenValue0001",
    },
  });
  assert.ok(foreign.ok);
  const rows = liveRows(5);
  rows[4]!.expires_at = iso(Date.now() - 60_000); // refresh-only: Authlete holds its probe token
  const ledger = join(dir, "l.db");
  const migrate = [
    "migrate",
    writeDump(dir, "t.csv", rows),
    "--mapping",
    writeMapping(dir),
    "--ledger",
    ledger,
    "--json",
  ];
  assert.equal((await runCli(migrate, authleteEnv(emulator))).code, 0);
  assert.equal(emulator.store.stats().tokens, 6);

  const preview = JSON.parse(
    (await runCli(["rollback", "--run", "1", "--ledger", ledger, "--dry-run", "--json"])).stdout,
  ) as RollbackSummary;
  assert.deepEqual([preview.tokens, preview.deleted], [5, 0]);
  assert.equal(emulator.store.stats().tokens, 6, "a dry run deletes nothing");
  const previewText = await runCli(["rollback", "--run", "1", "--ledger", ledger, "--dry-run"]);
  assert.match(previewText.stdout, /^ {2}would delete 5$/m);
  // Run numbers that created nothing are refused before anything is touched.
  for (const [run, why] of [
    ["999", /this ledger has no run 999/],
    ["2", /run 2 created nothing: it was a dry run, a verify or a compare/],
  ] as const) {
    const refused = await runCli(["rollback", "--run", run, "--ledger", ledger], authleteEnv(emulator));
    assert.equal(refused.code, 2, refused.stdout);
    assert.match(refused.stderr, why);
  }

  const first = await runCli(["rollback", "--run", "1", "--ledger", ledger, "--json"], authleteEnv(emulator));
  assert.equal(first.code, 0, first.stderr);
  assert.deepEqual((JSON.parse(first.stdout) as RollbackSummary).deleted, 5);
  assert.equal(emulator.store.stats().tokens, 1, "only the token this ledger did not create is left");
  assert.equal(emulator.store.all()[0]?.subject, "not-ours");

  const again = JSON.parse(
    (await runCli(["rollback", "--run", "1", "--ledger", ledger, "--json"], authleteEnv(emulator))).stdout,
  ) as RollbackSummary;
  assert.deepEqual(
    [again.tokens, again.deleted, again.failed],
    [0, 0, 0],
    "a rerun finds nothing left to delete",
  );

  const remigrate = JSON.parse((await runCli(migrate, authleteEnv(emulator))).stdout) as { created: number };
  assert.equal(remigrate.created, 5, "rolled-back tokens are created again by a later run");
});

test("when Authlete does not know the ledger's hash, rollback says so and deletes by value from the sources", async (t) => {
  const dir = tempDir(t);
  // An Authlete whose token hash differs from the inferred base64url(SHA-256).
  const { emulator } = await withEmulator(t, {
    hash: (v) => createHash("sha256").update(`salt:${v}`).digest("hex"),
  });
  const rows = liveRows(3);
  const dump = writeDump(dir, "t.csv", rows);
  const mapping = writeMapping(dir);
  const ledger = join(dir, "l.db");
  assert.equal(
    (await runCli(["migrate", dump, "--mapping", mapping, "--ledger", ledger], authleteEnv(emulator))).code,
    0,
  );
  const byHash = await runCli(
    ["rollback", "--run", "1", "--ledger", ledger, "--json"],
    authleteEnv(emulator),
  );
  assert.equal(byHash.code, 1);
  assert.equal((JSON.parse(byHash.stdout) as RollbackSummary).notFoundByHash, 3);
  assert.equal(emulator.store.stats().tokens, 3, "nothing deleted, nothing forgotten");
  const byValue = await runCli(
    ["rollback", "--run", "1", "--ledger", ledger, "--source", dump, "--mapping", mapping, "--json"],
    authleteEnv(emulator),
  );
  assert.equal(byValue.code, 0, byValue.stderr);
  assert.equal((JSON.parse(byValue.stdout) as RollbackSummary).deleted, 3);
  assert.equal(emulator.store.stats().tokens, 0);
  assert.ok(!(byValue.stdout + byValue.stderr).includes(rows[0]!.token), "values never printed");
});

test("rollback --all deletes what every run of the ledger created, and says which of --run/--all is needed", async (t) => {
  const dir = tempDir(t);
  const { emulator } = await withEmulator(t);
  const env = authleteEnv(emulator);
  const ledger = join(dir, "l.db");
  const mapping = writeMapping(dir);
  const [a, b, c] = liveRows(3);
  for (const [name, rows] of [
    ["monday.csv", [a!, b!]],
    ["tuesday.csv", [a!, b!, c!]],
  ] as const) {
    const run = await runCli(
      ["migrate", writeDump(dir, name, [...rows]), "--mapping", mapping, "--ledger", ledger],
      env,
    );
    assert.equal(run.code, 0, run.stderr);
  }
  assert.equal(emulator.store.stats().tokens, 3);
  const neither = await runCli(["rollback", "--ledger", ledger], env);
  assert.equal(neither.code, 2);
  assert.match(neither.stderr, /say --run <id> or --all \(one of them\) \[usage\]/);
  const preview = await runCli(["rollback", "--all", "--ledger", ledger, "--dry-run"], env);
  assert.match(
    preview.stdout,
    /^Rollback of every run \(dry run\): 3 token\(s\) created and not yet rolled back\n {2}would delete 3/,
  );
  const all = JSON.parse(
    (await runCli(["rollback", "--all", "--ledger", ledger, "--json"], env)).stdout,
  ) as RollbackSummary;
  assert.deepEqual([all.ofRun, all.tokens, all.deleted], ["all", 3, 3]);
  assert.equal(emulator.store.stats().tokens, 0);
});
