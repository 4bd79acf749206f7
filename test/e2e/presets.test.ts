import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { parse } from "csv-parse/sync";
import type { RunSummary } from "../../src/run/index.js";
import { probeTokenFor, tokenHash } from "../../src/shared/hash.js";
import { runCli } from "../helpers/cli.js";
import { authleteEnv, billingService, mobileApp, webApp, withEmulator } from "../helpers/emulator.js";
import { rowFates } from "../helpers/ledger.js";
import { repoFile, tempDir } from "../helpers/paths.js";

const now = "2025-06-01T12:00:00Z";
const fixture = (name: string) => repoFile(`fixtures/presets/${name}`);
const csvRows = (name: string) =>
  parse(readFileSync(fixture(name)), { columns: true }) as Record<string, string>[];

async function migratePreset(t: Parameters<typeof tempDir>[0], dump: string, mapping: string) {
  const dir = tempDir(t);
  const { emulator } = await withEmulator(t, { startAt: Date.parse(now) });
  const ledger = join(dir, "l.db");
  const args = ["migrate", fixture(dump), "--mapping", fixture(mapping), "--ledger", ledger, "--now", now];
  const env = authleteEnv(emulator);
  const result = await runCli([...args, "--json"], env);
  assert.ok(result.code === 0 || result.code === 1, result.stderr);
  return { emulator, summary: JSON.parse(result.stdout) as RunSummary, fates: rowFates(ledger) };
}

test("Doorkeeper preset: expires_in from created_at, NULL = never, revoked rows, a hashed row never sent", async (t) => {
  const rows = csvRows("doorkeeper.csv");
  const { emulator, summary, fates: f } = await migratePreset(t, "doorkeeper.csv", "doorkeeper.mapping.json");
  assert.deepEqual(f, {
    1: "created",
    2: "skipped:revoked",
    3: "created",
    4: "created",
    5: "created",
    6: "rejected:value_not_recoverable",
  });
  const [r95, , r101, r104, r107] = rows;
  const refreshOnly = emulator.store.byAccessHash(tokenHash(probeTokenFor(r95!.refresh_token!)));
  assert.equal(
    refreshOnly?.refreshHash,
    tokenHash(r95!.refresh_token!),
    "row 95 keeps its refresh token only",
  );
  assert.equal(
    emulator.store.byAccessHash(tokenHash(r95!.token!)),
    undefined,
    "its expired access token is not revived",
  );
  assert.equal(emulator.store.byAccessHash(tokenHash(r101!.token!))?.subject, "42");
  assert.equal(
    emulator.store.byAccessHash(tokenHash(r107!.token!))?.accessExpiresAt,
    null,
    "expires_in NULL = persistent",
  );
  const cc = emulator.store.byAccessHash(tokenHash(r104!.token!));
  assert.deepEqual([cc?.clientId, cc?.subject, cc?.grantType], [billingService, null, "CLIENT_CREDENTIALS"]);
  assert.equal(emulator.store.stats().tokens, 4);
  assert.equal(summary.unrecoverable?.rows, 1);
  assert.match(summary.unrecoverable!.lastAccessExpiry, /^2025-06-01T13:58:31/);
  assert.equal(summary.unrecoverable!.lastRefreshExpiry, "never");
});

test("django-oauth-toolkit preset: the documented join of both tables, refresh-only rows, an empty (RFC 9700) token", async (t) => {
  const rows = csvRows("django-oauth-toolkit.csv");
  const {
    emulator,
    summary,
    fates: f,
  } = await migratePreset(t, "django-oauth-toolkit.csv", "django-oauth-toolkit.mapping.json");
  assert.deepEqual(f, {
    1: "created",
    2: "created",
    3: "created",
    4: "created",
    5: "rejected:value_not_recoverable",
  });
  const alice = emulator.store.byAccessHash(tokenHash(rows[0]!.token!));
  assert.deepEqual(
    [alice?.clientId, alice?.subject, alice?.scopes],
    [webApp, "alice", ["openid", "read", "write"]],
  );
  assert.equal(alice?.refreshHash, tokenHash(rows[0]!.refresh_token!));
  assert.ok(alice!.accessExpiresAt! <= Date.parse("2025-06-01T21:40:00.120Z"));
  const bob = emulator.store.byAccessHash(tokenHash(probeTokenFor(rows[2]!.refresh_token!)));
  assert.equal(bob?.subject, "bob", "bob's expired access token leaves a refresh-only token");
  assert.equal(summary.unrecoverable?.stores, "nothing (an empty token: RFC 9700 token storage)");
  assert.match(summary.unrecoverable!.lastAccessExpiry, /^2025-06-01T20:00:00/);
});

test("Spring Authorization Server preset: comma scopes, revocation in the metadata JSON, device-code grant", async (t) => {
  const rows = csvRows("spring-authorization-server.csv");
  const { emulator, fates: f } = await migratePreset(
    t,
    "spring-authorization-server.csv",
    "spring-authorization-server.mapping.json",
  );
  assert.deepEqual(f, { 1: "created", 2: "created", 3: "skipped:revoked", 4: "created", 5: "created" });
  const [alice, bob, , billing, dave] = rows;
  assert.deepEqual(emulator.store.byAccessHash(tokenHash(alice!.access_token_value!))?.scopes, [
    "openid",
    "message.read",
    "message.write",
  ]);
  assert.ok(
    emulator.store.byAccessHash(tokenHash(probeTokenFor(bob!.refresh_token_value!))),
    "bob is refresh-only",
  );
  assert.equal(
    emulator.store.byAccessHash(tokenHash(billing!.access_token_value!))?.grantType,
    "CLIENT_CREDENTIALS",
  );
  const device = emulator.store.byAccessHash(tokenHash(dave!.access_token_value!));
  assert.deepEqual([device?.grantType, device?.clientId], ["DEVICE_CODE", mobileApp]);
  const legacyRefresh = Date.parse(`${dave!.refresh_token_expires_at!.replace(" ", "T").slice(0, 23)}Z`);
  assert.ok(device!.refreshExpiresAt! <= legacyRefresh && legacyRefresh - device!.refreshExpiresAt! <= 2000);
});

test("LINE channel access token v2.1 preset: issued_at + expires_in, key ID kept, revoked key IDs skipped", async (t) => {
  const lines = readFileSync(fixture("line-channel-access-token-v2.1.ndjson"), "utf8").trim().split("\n");
  const issued = lines.map((l) => JSON.parse(l) as { response: { access_token: string; key_id: string } });
  const { emulator, fates: f } = await migratePreset(
    t,
    "line-channel-access-token-v2.1.ndjson",
    "line-channel-access-token-v2.1.mapping.json",
  );
  assert.deepEqual(f, {
    1: "created",
    2: "skipped:revoked_in_source",
    3: "skipped:expired", // LINE does not list it either, but it is dead of age, not revoked
    4: "created",
  });
  const first = emulator.store.byAccessHash(tokenHash(issued[0]!.response.access_token));
  assert.deepEqual(
    [first?.clientId, first?.grantType, first?.subject],
    [billingService, "CLIENT_CREDENTIALS", null],
  );
  assert.deepEqual(first?.properties, [
    { key: "line_key_id", value: issued[0]!.response.key_id, hidden: true },
  ]);
  assert.ok(first!.accessExpiresAt! <= Date.parse("2025-06-19T03:00:00Z"));
  assert.equal(emulator.store.stats().tokens, 2);
});

test("a preset is usable as is (preset:NAME) unless it needs a decision; an unknown preset is a mapping error", async (t) => {
  const dir = tempDir(t);
  const asIs = (dump: string, preset: string, ledger: string) =>
    runCli([
      "migrate",
      fixture(dump),
      "--mapping",
      `preset:${preset}`,
      "--ledger",
      join(dir, ledger),
      "--dry-run",
      "--now",
      now,
      "--json",
    ]);
  const ok = await asIs("spring-authorization-server.csv", "spring-authorization-server", "a.db");
  const summary = JSON.parse(ok.stdout) as RunSummary;
  assert.equal(summary.reasons.client_unknown, 4, "without a client map the legacy ids are not Authlete's");
  // Doorkeeper's zone-less times: no default can be right for every site, so the preset alone is refused.
  const undecided = await asIs("doorkeeper.csv", "doorkeeper", "c.db");
  assert.equal(undecided.code, 2);
  assert.match(
    undecided.stderr,
    /the doorkeeper preset needs decisions only you can make; .*time\.timezone \(the zone/,
  );
  const bad = await runCli([
    "migrate",
    fixture("doorkeeper.csv"),
    "--mapping",
    "preset:keycloak",
    "--ledger",
    join(dir, "b.db"),
    "--dry-run",
  ]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /unknown preset "keycloak"; presets: doorkeeper/);
});
