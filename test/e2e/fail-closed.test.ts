import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import type { RunSummary } from "../../src/run/index.js";
import { tokenHash } from "../../src/shared/hash.js";
import { dryRunJson, runCli } from "../helpers/cli.js";
import { authleteEnv, webApp, withEmulator } from "../helpers/emulator.js";
import { tempDir } from "../helpers/paths.js";

const hour = 3_600_000;
const columns = {
  accessToken: "access_token",
  refreshToken: "refresh_token",
  clientId: "client_id",
  subject: "user_id",
  accessTokenExpiresAt: "expires_at",
  refreshTokenExpiresAt: "refresh_expires_at",
};

test("a mapping without a preset accounts for every column: one it neither maps nor ignores stops the run, named, before any row (CSV header, or the first JSON row that brings it)", async (t) => {
  const { emulator } = await withEmulator(t);
  const dir = tempDir(t);
  const expires = new Date(Date.now() + hour).toISOString();
  const csv = join(dir, "tokens.csv");
  writeFileSync(
    csv,
    `access_token,refresh_token,client_id,user_id,expires_at,refresh_expires_at,id,deleted_at\nAT1,RT1,web,alice,${expires},${expires},1,\n`,
  );
  const mapping = join(dir, "mapping.json");
  const write = (own: Record<string, unknown>) =>
    writeFileSync(mapping, JSON.stringify({ columns, clients: { web: webApp }, ...own }));
  const run = (file: string, ledger: string, extra: string[] = []) =>
    runCli(
      ["migrate", file, "--mapping", mapping, "--ledger", join(dir, ledger), "--json", ...extra],
      authleteEnv(emulator),
    );
  write({});
  for (const extra of [[], ["--dry-run"]]) {
    const refused = await run(csv, `a${extra.length}.db`, extra);
    assert.equal(refused.code, 2, refused.stdout);
    assert.match(
      refused.stderr,
      /column\(s\) "id", "deleted_at" neither mapped nor listed in the mapping's "ignore".*\[mapping_invalid\]/,
    );
  }
  assert.equal(emulator.store.stats().tokens, 0, "nothing was sent");
  // Ignoring a column is a decision made on purpose; so is mapping one.
  write({ ignore: ["id"], columns: { ...columns, revokedAt: "deleted_at" } });
  const ran = await run(csv, "b.db");
  assert.equal(ran.code, 0, ran.stderr);
  assert.equal((JSON.parse(ran.stdout) as RunSummary).created, 1);

  // NDJSON: a key first seen on the third row stops the run there, before that row is admitted.
  write({ ignore: ["id"] });
  const rows = [1, 2, 3].map((i) => ({
    access_token: `ND${i}`,
    refresh_token: null,
    client_id: "web",
    user_id: "bob",
    expires_at: expires,
    refresh_expires_at: null,
    id: i,
    ...(i === 3 ? { status: "revoked" } : {}),
  }));
  const ndjson = join(dir, "tokens.ndjson");
  writeFileSync(ndjson, rows.map((r) => JSON.stringify(r)).join("\n") + "\n");
  const late = await run(ndjson, "c.db", ["--dry-run"]);
  assert.equal(late.code, 2, late.stdout);
  assert.match(late.stderr, /tokens\.ndjson: column\(s\) "status" neither mapped nor listed/);
  const live = await run(ndjson, "d.db");
  assert.equal(live.code, 2, "a live run's pre-scan finds it before the first call");
  assert.equal(emulator.store.byAccessHash(tokenHash("ND1")), undefined, "nothing of the file was sent");
});

test("an access token revoked alone after migration ends at Authlete while its refresh token lives on (once; the dry run plans the same)", async (t) => {
  const { emulator } = await withEmulator(t);
  const dir = tempDir(t);
  const mapping = join(dir, "mapping.json");
  writeFileSync(
    mapping,
    JSON.stringify({
      columns: { ...columns, accessTokenRevokedAt: "access_revoked_at" },
      clients: { web: webApp },
    }),
  );
  const dump = join(dir, "tokens.csv");
  const at = (ms: number) => new Date(ms).toISOString();
  const write = (revokedAt: string) =>
    writeFileSync(
      dump,
      `access_token,refresh_token,client_id,user_id,expires_at,refresh_expires_at,access_revoked_at\nAT1,RT1,web,alice,${at(Date.now() + hour)},${at(Date.now() + 24 * hour)},${revokedAt}\n`,
    );
  const run = (extra: string[] = []) =>
    runCli(
      ["migrate", dump, "--mapping", mapping, "--ledger", join(dir, "l.db"), "--json", ...extra],
      authleteEnv(emulator),
    );
  write("");
  assert.equal((await run()).code, 0);
  assert.ok(emulator.store.byAccessHash(tokenHash("AT1")), "migrated with its access token");
  write(at(Date.now() - 60_000));
  const planned = JSON.parse((await run(["--dry-run"])).stdout) as RunSummary;
  assert.deepEqual(planned.reasons, { access_ended_since_migration: 1 });
  const caughtUp = JSON.parse((await run()).stdout) as RunSummary;
  assert.deepEqual(caughtUp.reasons, planned.reasons);
  const held = emulator.store.byAccessHash(tokenHash("AT1"))!;
  assert.ok(
    held.accessExpiresAt !== null && held.accessExpiresAt <= Date.now(),
    "the access token has ended",
  );
  assert.ok((held.refreshExpiresAt ?? Infinity) > Date.now() + hour, "its refresh token lives on");
  // Ended once: a later run over the same export has nothing more to do.
  const again = JSON.parse((await run()).stdout) as RunSummary;
  assert.deepEqual(again.reasons, { already_migrated: 1 });
});

test("a status column of words: init shows its few values first and the run refuses it until mapped; mapped, its words decide, and a word nobody listed is refused", async (t) => {
  const dir = tempDir(t);
  const expires = new Date(Date.now() + hour).toISOString();
  const dump = join(dir, "tokens.csv");
  writeFileSync(
    dump,
    [
      "access_token,client_id,user_id,expires_at,status",
      `ST1,web,alice,${expires},active`,
      `ST2,web,bob,${expires},revoked`,
      `ST3,web,carol,${expires},suspended`,
    ].join("\n") + "\n",
  );
  const out = join(dir, "mapping.json");
  const init = await runCli(["init", dump, "--out", out]);
  assert.equal(init.code, 1, "the mapping does not run until the status column is decided");
  assert.match(
    init.stdout,
    /Left to decide:\n {2}- column "status" \(3 other of 3 row\(s\) looked at; its values: "active", "revoked", "suspended"\) may say whether a token is alive/,
  );
  assert.match(
    init.stdout,
    /The mapping does not load yet: .*column\(s\) "status" neither mapped nor listed/,
  );
  writeFileSync(join(dir, "clients.csv"), `legacy_id,client_id,grant_type\nweb,${webApp},PASSWORD\n`);
  const mapping = JSON.parse(readFileSync(out, "utf8")) as { columns: Record<string, string> };
  writeFileSync(
    out,
    JSON.stringify({
      ...mapping,
      columns: { ...mapping.columns, revokedAt: "status" },
      time: { notRevoked: { status: ["active"] }, revoked: { status: ["revoked"] } },
    }),
  );
  const { summary, stdout } = await dryRunJson(dump, out, join(dir, "l.db"));
  assert.equal(summary.created, 1, stdout);
  assert.deepEqual(summary.reasons, { revoked: 1, time_invalid: 1 });
});
