import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { tokenProcess } from "@authlete/typescript-sdk/funcs/tokenProcess.js";
import type { RunningEmulator, WireEvent } from "../../src/emulator/index.js";
import type { RunSummary } from "../../src/run/index.js";
import { tokenHash } from "../../src/shared/hash.js";
import { runCli } from "../helpers/cli.js";
import { generatedMapping, liveRows, writeDump, writeMapping, type LegacyRow } from "../helpers/dumps.js";
import { authleteEnv, defaultSeed, serviceId, webApp, withEmulator } from "../helpers/emulator.js";
import { ledgerStatus } from "../helpers/ledger.js";
import { tempDir } from "../helpers/paths.js";

type Summary = Required<RunSummary>;

function migrateArgs(
  dir: string,
  rows: LegacyRow[],
  extra: string[] = [],
  mapping: unknown = generatedMapping,
) {
  return [
    "migrate",
    writeDump(dir, "tokens.csv", rows),
    "--mapping",
    writeMapping(dir, mapping),
    "--ledger",
    join(dir, "l.db"),
    "--json",
    ...extra,
  ];
}

/**
 * Every stored expiry of the rows, against the legacy one: never later, at most 3 s earlier. Authlete's
 * expiries are instants on its own clock, and it expires a token when its clock reaches them.
 */
function assertExpiriesWithinLegacy(emulator: RunningEmulator, rows: LegacyRow[]): void {
  for (const row of rows) {
    const stored = emulator.store.byAccessHash(tokenHash(row.token));
    assert.ok(stored, `token of ${row.user} stored`);
    const checks: [string, number | null, string | null][] = [
      ["access", stored.accessExpiresAt, row.expires_at],
      ["refresh", stored.refreshExpiresAt, row.refresh_token === null ? null : row.refresh_expires_at],
    ];
    for (const [what, got, legacy] of checks) {
      if (legacy === null) continue;
      const early = Date.parse(legacy) - got!;
      assert.ok(early >= 0, `${what} expiry of ${row.user} is ${-early} ms later than the legacy one`);
      assert.ok(early <= 3000, `${what} expiry of ${row.user} is ${early} ms earlier than the legacy one`);
    }
  }
}

test("tokenExpirationLinked: no access token comes out shorter than intended", async (t) => {
  const seed = defaultSeed();
  seed.services[0]!.tokenExpirationLinked = true;
  const { emulator } = await withEmulator(t, { seed });
  const rows = liveRows(6); // rows 2 and 5 have no refresh token
  const dir = tempDir(t);
  const result = await runCli(migrateArgs(dir, rows), authleteEnv(emulator));
  assert.equal(result.code, 0, result.stderr);
  const summary = JSON.parse(result.stdout) as Summary;
  assert.equal(summary.created, 6);
  assert.ok(summary.serviceFindings.some((f) => f.code === "token_expiration_linked"));
  assertExpiriesWithinLegacy(emulator, rows);
  assert.equal(summary.writer.shortenedTokens, 0);
  // verify knows the generated refresh tokens of a linked service: refreshable is expected there.
  const verify = ["verify", join(dir, "tokens.csv"), "--mapping", join(dir, "mapping.json")];
  const verified = await runCli(
    [...verify, "--ledger", join(dir, "l.db"), "--all", "--json"],
    authleteEnv(emulator),
  );
  assert.equal(verified.code, 0, verified.stdout + verified.stderr);
  assert.equal((JSON.parse(verified.stdout) as { matched: number }).matched, 6);
});

test("singleAccessTokenPerSubject with several live tokens per subject: refused before any write, and the dry run says so", async (t) => {
  for (const where of ["service", "client"] as const) {
    const seed = defaultSeed();
    if (where === "service") seed.services[0]!.singleAccessTokenPerSubject = true;
    else seed.clients[0]!.singleAccessTokenPerSubject = true;
    const { emulator } = await withEmulator(t, { seed });
    const dir = tempDir(t);
    const rows = liveRows(4);
    rows.push({ ...liveRows(1)[0]!, user: rows[0]!.user, client: rows[0]!.client }); // user0 logged in twice at web
    const dry = await runCli(migrateArgs(dir, rows, ["--dry-run", "--check-service"]), authleteEnv(emulator));
    const finding = (JSON.parse(dry.stdout) as Summary).serviceFindings.find(
      (f) => f.code === "several_live_tokens_per_subject",
    );
    assert.equal(finding?.severity, "error", where);
    assert.match(finding.detail, /singleAccessTokenPerSubject is on/);
    const live = await runCli(migrateArgs(dir, rows), authleteEnv(emulator));
    assert.equal(live.code, 2, where);
    assert.match(live.stderr, /singleAccessTokenPerSubject.*\[config_invalid\]/);
    assert.equal(emulator.store.stats().calls["auth/token/create"], undefined, "nothing was written");
  }
});

test("a refresh token Authlete drops is never recorded as created: the token is deleted again and the row rejected", async (t) => {
  const { emulator } = await withEmulator(t);
  const rows = liveRows(3);
  rows[1] = { ...rows[1]!, client: "billing" }; // client credentials: Authlete issues no refresh token
  const result = await runCli(migrateArgs(tempDir(t), rows), authleteEnv(emulator));
  assert.equal(result.code, 1, result.stderr);
  const summary = JSON.parse(result.stdout) as Summary;
  assert.deepEqual([summary.created, summary.rejected], [2, 1]);
  assert.deepEqual(summary.reasons, { refresh_token_not_stored: 1 });
  assert.equal(emulator.store.byAccessHash(tokenHash(rows[1]!.token)), undefined, "undone");
  assert.equal(emulator.store.stats().tokens, 2);
});

test("Authlete's clock 300 s ahead or behind: every stored expiry stays within 3 s before the legacy one", async (t) => {
  for (const offset of [300_000, -300_000]) {
    const { emulator } = await withEmulator(t, { clockOffsetMs: offset });
    const dir = tempDir(t);
    const rows = liveRows(8);
    const refused = await runCli(migrateArgs(dir, rows), authleteEnv(emulator));
    assert.equal(refused.code, 2, "beyond the default --max-clock-skew of 60 s");
    assert.match(refused.stderr, /clock is about -?(299|300|301) s off.*\[clock_skew\]/);
    assert.equal(emulator.store.stats().calls["auth/token/create"], undefined);

    const result = await runCli(migrateArgs(dir, rows, ["--max-clock-skew", "600"]), authleteEnv(emulator));
    assert.equal(result.code, 0, result.stderr);
    const summary = JSON.parse(result.stdout) as Summary;
    assert.equal(summary.created, 8);
    const clock = summary.authleteClock;
    assert.equal(clock.source, "token-create");
    // The measured interval always holds the real offset: its middle is within its half-width of it.
    assert.ok(Math.abs(clock.offsetMs - offset) <= clock.uncertaintyMs + 1, JSON.stringify(clock));
    assertExpiriesWithinLegacy(emulator, rows);
  }
});

test("a token Authlete no longer holds is never counted as revoked; one refreshed with a kept refresh token is found by it", async (t) => {
  for (const kept of [false, true]) {
    const seed = defaultSeed();
    seed.services[0]!.refreshTokenKept = kept;
    const { emulator, authlete } = await withEmulator(t, { seed });
    const dir = tempDir(t);
    const rows = liveRows(3);
    assert.equal((await runCli(migrateArgs(dir, rows), authleteEnv(emulator))).code, 0);
    // The user refreshes at Authlete after the migration: the migrated access token is gone.
    const refreshed = await tokenProcess(authlete.core, {
      serviceId,
      tokenRequest: {
        parameters: `grant_type=refresh_token&refresh_token=${rows[0]!.refresh_token}`,
        clientId: String(webApp),
        clientSecret: "web-app-secret",
      },
    });
    assert.ok(refreshed.ok && refreshed.value.action === "OK");
    const revoked = [
      { ...rows[0]!, revoked_at: new Date(Date.now() - 1000).toISOString() },
      ...rows.slice(1),
    ];
    const result = await runCli(migrateArgs(dir, revoked), authleteEnv(emulator));
    const summary = JSON.parse(result.stdout) as Summary;
    if (kept) {
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(summary.reasons, { revoked_since_migration: 1, already_migrated: 2 });
      assert.equal(
        emulator.store.byRefreshHash(tokenHash(rows[0]!.refresh_token!)),
        undefined,
        "chain revoked",
      );
    } else {
      assert.equal(result.code, 1, "nothing was revoked: the engineer must look");
      assert.deepEqual(summary.reasons, { not_found_in_authlete: 1, already_migrated: 2 });
      assert.equal(ledgerStatus(join(dir, "l.db")).reasons.not_found_in_authlete, 1);
      assert.equal(ledgerStatus(join(dir, "l.db")).reasons.revoked_since_migration, undefined);
    }
  }
});

test("a 403 on one create rejects that row and the run goes on", async (t) => {
  const seed = defaultSeed();
  seed.services.push({ ...seed.services[0]!, serviceId: "715948318", bearers: ["other-bearer"] });
  seed.clients.push({ ...seed.clients[0]!, clientId: 26888344961699, serviceId: "715948318" });
  seed.behaviour.foreignClientAnswer = "plain"; // a 403 without an action, like a refused bearer's
  const { emulator } = await withEmulator(t, { seed });
  const rows = liveRows(5);
  rows[2] = { ...rows[2]!, client: "elsewhere" };
  const mapping = {
    ...generatedMapping,
    clients: { ...generatedMapping.clients, elsewhere: 26888344961699 },
  };
  // The service check sees the client is not in the service: that row is rejected before it is sent.
  const checked = await runCli(migrateArgs(tempDir(t), rows, [], mapping), authleteEnv(emulator));
  assert.equal(checked.code, 1, checked.stderr);
  const summary = JSON.parse(checked.stdout) as Summary;
  assert.deepEqual([summary.status, summary.created, summary.rejected], ["completed", 4, 1]);
  assert.deepEqual(summary.reasons, { client_not_in_service: 1 });
  assert.ok(summary.serviceFindings.some((f) => f.code === "client_not_in_service"));
  assert.equal(emulator.store.stats().calls["auth/token/create"], 4, "the refused row was never sent");
  // Unchecked, the create goes out: Authlete's 403 rejects that row and the run goes on.
  const fresh = (await withEmulator(t, { seed })).emulator;
  const sent = await runCli(
    migrateArgs(tempDir(t), rows, ["--no-check-service"], mapping),
    authleteEnv(fresh),
  );
  assert.equal(sent.code, 1, sent.stderr);
  const unchecked = JSON.parse(sent.stdout) as Summary;
  assert.deepEqual(
    [unchecked.status, unchecked.rejected, unchecked.reasons],
    ["completed", 1, { authlete_rejected: 1 }],
  );
  assert.equal(fresh.store.stats().tokens, 4);
});

test("the first create goes alone to measure Authlete's clock; persistent tokens, which cannot measure it, are not held back", async (t) => {
  for (const persistent of [false, true]) {
    const events: WireEvent[] = [];
    const { emulator } = await withEmulator(t, {
      faults: { latencyMs: 100 },
      observe: (e) => events.push(e),
    });
    const rows = liveRows(8).map((r) => (persistent ? { ...r, expires_at: "never" } : r));
    const result = await runCli(migrateArgs(tempDir(t), rows, ["--concurrency", "8"]), authleteEnv(emulator));
    assert.equal(result.code, 0, result.stderr);
    // The emulator's own record of creates on the wire: how many overlapped, before and after the first answer.
    let inFlight = 0;
    let mostBeforeFirstAnswer = 0;
    let answered = false;
    for (const e of events.filter((e) => e.path.endsWith("/auth/token/create"))) {
      inFlight += e.kind === "request" ? 1 : -1;
      if (e.kind === "answer") answered = true;
      else if (!answered) mostBeforeFirstAnswer = Math.max(mostBeforeFirstAnswer, inFlight);
    }
    if (persistent) assert.ok(mostBeforeFirstAnswer > 1, "persistent tokens go out together");
    else assert.equal(mostBeforeFirstAnswer, 1, "the first create is alone on the wire");
  }
});
