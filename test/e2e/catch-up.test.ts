import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import type { RunSummary } from "../../src/run/index.js";
import { tokenHash } from "../../src/shared/hash.js";
import { runCli } from "../helpers/cli.js";
import { generatedMapping, liveRows, writeDump, writeMapping } from "../helpers/dumps.js";
import { authleteEnv, callsAnswered, defaultSeed, withEmulator } from "../helpers/emulator.js";
import { tempDir } from "../helpers/paths.js";

test("a catch-up run over a newer full dump creates new tokens and revokes revoked and vanished ones", async (t) => {
  const dir = tempDir(t);
  const { emulator } = await withEmulator(t);
  const env = authleteEnv(emulator);
  const [a, b, c, d] = liveRows(4);
  const mapping = writeMapping(dir);
  const ledger = join(dir, "l.db");
  const first = await runCli(
    ["migrate", writeDump(dir, "monday.csv", [a!, b!, c!]), "--mapping", mapping, "--ledger", ledger],
    env,
  );
  assert.equal(first.code, 0, first.stderr);
  assert.equal(emulator.store.stats().tokens, 3);

  // Tuesday's dump: a was revoked, c is gone (deleted by the legacy server), d is new, b is unchanged.
  const tuesday = writeDump(dir, "tuesday.csv", [
    { ...a!, revoked_at: new Date(Date.now() - 1000).toISOString() },
    b!,
    d!,
  ]);
  const preview = JSON.parse(
    (await runCli(["migrate", tuesday, "--mapping", mapping, "--ledger", ledger, "--dry-run", "--json"]))
      .stdout,
  ) as RunSummary;
  assert.deepEqual(preview.reasons, { revoked_since_migration: 1, already_migrated: 1 });
  const catchUp = await runCli(
    ["migrate", tuesday, "--mapping", mapping, "--ledger", ledger, "--sync-deletions", "--json"],
    env,
  );
  assert.equal(catchUp.code, 0, catchUp.stderr);
  const s = JSON.parse(catchUp.stdout) as RunSummary;
  assert.equal(s.created, 1);
  assert.deepEqual(s.reasons, { revoked_since_migration: 1, already_migrated: 1, deleted_in_source: 1 });
  const held = (row: typeof a) => emulator.store.byAccessHash(tokenHash(row!.token)) !== undefined;
  assert.deepEqual([held(a), held(b), held(c), held(d)], [false, true, false, true]);

  const again = JSON.parse(
    (
      await runCli(
        ["migrate", tuesday, "--mapping", mapping, "--ledger", ledger, "--sync-deletions", "--json"],
        env,
      )
    ).stdout,
  ) as RunSummary;
  assert.equal(again.created, 0);
  assert.equal(again.writer?.calls, 0, "nothing left to do: no call at all");
});

test("a source that revokes by deleting rows: a catch-up run must say --sync-deletions or --no-sync-deletions", async (t) => {
  const dir = tempDir(t);
  const { emulator } = await withEmulator(t);
  const env = authleteEnv(emulator);
  const rows = liveRows(2);
  const [a, b] = [rows[0]!, rows[1]!];
  const mapping = writeMapping(dir, { ...generatedMapping, revokesByDeleting: true });
  const run = (rows: (typeof a)[], extra: string[] = []) =>
    runCli(
      [
        "migrate",
        writeDump(dir, "dump.csv", rows),
        "--mapping",
        mapping,
        "--ledger",
        join(dir, "l.db"),
        ...extra,
      ],
      env,
    );
  assert.equal((await run([a, b])).code, 0, "the first run has nothing to catch up with");
  // b was revoked at the source: its row is simply gone from the newer export.
  const silent = await run([a]);
  assert.equal(silent.code, 2);
  assert.match(
    silent.stderr,
    /revokes tokens by deleting their rows, and this ledger already created tokens.*\[usage\]/,
  );
  assert.equal(emulator.store.stats().tokens, 2, "nothing was done");
  assert.equal((await run([a], ["--no-sync-deletions"])).code, 0, "said on purpose: b stays live");
  assert.equal(emulator.store.stats().tokens, 2);
  assert.equal((await run([a], ["--sync-deletions"])).code, 0);
  assert.equal(emulator.store.byAccessHash(tokenHash(b.token)), undefined, "b is revoked in Authlete too");
});

for (const pastExpiryOnUpdate of ["apply", "refuse"] as const) {
  test(`a refresh token the source rotated away since migration ends at Authlete, the access token lives on (update with a past expiry: ${pastExpiryOnUpdate})`, async (t) => {
    const dir = tempDir(t);
    const seed = defaultSeed();
    seed.behaviour.pastExpiryOnUpdate = pastExpiryOnUpdate;
    const { emulator } = await withEmulator(t, { seed });
    const env = authleteEnv(emulator);
    const [a, b] = liveRows(2);
    const mapping = writeMapping(dir);
    const ledger = join(dir, "l.db");
    const migrate = async (file: string, extra: string[] = []) => {
      const run = await runCli(
        ["migrate", file, "--mapping", mapping, "--ledger", ledger, "--json", ...extra],
        env,
      );
      assert.equal(run.code, 0, run.stderr);
      return JSON.parse(run.stdout) as RunSummary;
    };
    await migrate(writeDump(dir, "monday.csv", [a!, b!]));
    // Tuesday: a's refresh token was rotated away (oidc-provider keeps the old access token valid
    // without it); b's is gone too, and its access token has expired.
    const past = new Date(Date.now() - 60_000).toISOString();
    const tuesday = writeDump(dir, "tuesday.csv", [
      { ...a!, refresh_token: null },
      { ...b!, expires_at: past, refresh_token: null },
    ]);
    const preview = await migrate(tuesday, ["--dry-run"]);
    assert.deepEqual(preview.reasons, { refresh_ended_since_migration: 2 });
    const s = await migrate(tuesday);
    const refreshUsable = (row: typeof a) => {
      const held = emulator.store.byRefreshHash(tokenHash(row!.refresh_token!));
      return held !== undefined && (held.refreshExpiresAt ?? Infinity) > Date.now();
    };
    assert.deepEqual([refreshUsable(a), refreshUsable(b)], [false, false]);
    if (pastExpiryOnUpdate === "apply") {
      assert.deepEqual(s.reasons, { refresh_ended_since_migration: 2 });
      assert.ok(emulator.store.byAccessHash(tokenHash(a!.token)), "a's access token lives on");
    } else {
      // Not confirmed: the whole token goes (its access token ends early, never a refresh token late).
      assert.deepEqual(s.reasons, { revoked_since_migration: 2 });
      assert.equal(emulator.store.byAccessHash(tokenHash(a!.token)), undefined);
    }
    const before = callsAnswered(emulator);
    const again = await migrate(tuesday);
    assert.deepEqual(
      again.reasons,
      pastExpiryOnUpdate === "apply" ? { already_migrated: 2 } : { revoked_since_migration: 2 },
    );
    // Ended once: nothing left to do, not even the service to read (see test/e2e/rerun.test.ts).
    assert.equal(callsAnswered(emulator), before, "ended once: nothing left to do");
  });
}
