import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { dryRunJson, runCli } from "../helpers/cli.js";
import { liveRows, writeDump } from "../helpers/dumps.js";
import { authleteEnv, billingService, webApp, withEmulator } from "../helpers/emulator.js";
import { repoFile, tempDir } from "../helpers/paths.js";

/** Fills init's clients.csv template: every legacy client to `clientId`, with `grant` where none is proposed. */
function fillClients(file: string, clientId: number, grant = ""): string[] {
  const lines = readFileSync(file, "utf8").trimEnd().split("\n");
  assert.equal(lines[0], "legacy_id,client_id,grant_type,rows");
  const rows = lines.slice(1).map((l) => l.split(","));
  writeFileSync(
    file,
    [
      "legacy_id,client_id,grant_type",
      ...rows.map(([id, , proposed]) => `${id},${clientId},${proposed || grant}`),
    ].join("\n"),
  );
  return rows.map(([id]) => id!);
}

const cases = [
  { dump: repoFile("fixtures/presets/doorkeeper.csv"), preset: "doorkeeper", client: webApp },
  {
    dump: repoFile("fixtures/presets/django-oauth-toolkit.csv"),
    preset: "django-oauth-toolkit",
    client: webApp,
  },
  {
    dump: repoFile("fixtures/presets/spring-authorization-server.csv"),
    preset: "spring-authorization-server",
    client: webApp,
  },
  {
    dump: repoFile("fixtures/presets/line-channel-access-token-v2.1.ndjson"),
    preset: "line-channel-access-token-v2.1",
    client: billingService,
  },
];

for (const c of cases) {
  test(`init recognises the ${c.preset} preset from its sample dump, and its mapping dry-runs once the clients are filled in`, async (t) => {
    const dir = tempDir(t);
    const out = join(dir, "mapping.json");
    const init = await runCli(["init", c.dump, "--out", out]);
    assert.equal(init.code, 0, init.stdout + init.stderr);
    assert.match(init.stdout, new RegExp(`^Recognised the ${c.preset} preset`));
    assert.equal((JSON.parse(readFileSync(out, "utf8")) as { extends: string }).extends, c.preset);
    assert.ok(
      fillClients(join(dir, "clients.csv"), c.client).length > 0,
      "the dump's legacy client IDs are listed",
    );
    const { code, stderr, summary } = await dryRunJson(c.dump, out, join(dir, "l.db"), [
      "--now",
      "2025-06-01T12:00:00Z",
    ]);
    assert.ok(code === 0 || code === 1, stderr);
    assert.ok(summary.created > 0, JSON.stringify(summary.reasons));
    assert.equal(summary.reasons.client_unknown, undefined, "every legacy client was in the template");
  });
}

test("init on a dump matching no preset proposes columns by name with the time kinds it saw; unfilled template rows stay client_unknown", async (t) => {
  const dir = tempDir(t);
  const dump = writeDump(dir, "site.csv", liveRows(9));
  const out = join(dir, "mapping.json");
  const init = await runCli(["init", dump, "--out", out]);
  assert.equal(init.code, 0, init.stdout + init.stderr);
  assert.match(init.stdout, /^No preset matches/);
  assert.match(init.stdout, /accessTokenExpiresAt ← expires_at \(iso-with-zone\)/);
  assert.match(init.stdout, /refreshTokenExpiresAt ← refresh_expires_at \(iso-with-zone\)/);
  assert.match(
    init.stdout,
    /clients\.csv: 2 legacy client ID\(s\) over 9 row\(s\):\n {2}web {2}5 row\(s\)\n {2}mobile {2}4 row\(s\)/,
  );
  const run = (ledger: string) => dryRunJson(dump, out, join(dir, ledger));
  // As written (template unfilled) the mapping loads, and no row can reach Authlete.
  const { summary: before } = await run("a.db");
  assert.deepEqual([before.created, before.reasons.client_unknown], [0, 9]);
  // No grant type column: each client's grant type is asked for, and a line without one is refused.
  fillClients(join(dir, "clients.csv"), webApp);
  const unsaid = await runCli([
    "migrate",
    dump,
    "--mapping",
    out,
    "--ledger",
    join(dir, "b.db"),
    "--dry-run",
  ]);
  assert.equal(unsaid.code, 2);
  assert.match(unsaid.stderr, /defaultGrantType is null.*legacy client\(s\) "web", "mobile"/);
  writeFileSync(
    join(dir, "clients.csv"),
    `legacy_id,client_id,grant_type\nweb,${webApp},AUTHORIZATION_CODE\nmobile,${webApp},PASSWORD\n`,
  );
  const { summary: after } = await run("c.db");
  assert.equal(after.created, 9);
  // Told where Authlete is, init lists the service's clients to fill the template with.
  const { emulator } = await withEmulator(t);
  mkdirSync(join(dir, "other"));
  const connected = await runCli(
    ["init", dump, "--out", join(dir, "other", "mapping.json")],
    authleteEnv(emulator),
  );
  assert.match(
    connected.stdout,
    new RegExp(`The service's clients \\(\\d+\\), for .*clients\\.csv:\\n {2}${webApp} \\(web-app\\)`),
  );
  const again = await runCli(["init", dump, "--out", out]);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /exists; init never overwrites a file \(nor writes through a link\) \[usage\]/);
});

test("init on a node-oauth2-server table (*_expires_on, zone-less SQL times, no scope or grant column) writes a mapping that loads and reads times at their earliest until the zone is set", async (t) => {
  const dir = tempDir(t);
  const dump = join(dir, "oauth_tokens.csv");
  // Its PostgreSQL example's table: timestamps without time zone, uuid ids, no scope column.
  writeFileSync(
    dump,
    [
      "id,access_token,access_token_expires_on,client_id,refresh_token,refresh_token_expires_on,user_id",
      "6f1c1e2a-0000-4000-8000-000000000001,AT-n1,2025-06-01 13:00:00,web,RT-n1,2025-06-15 12:00:00,9a1b0000-0000-4000-8000-00000000000a",
      "6f1c1e2a-0000-4000-8000-000000000002,AT-n2,2025-06-01 11:00:00,web,RT-n2,2025-06-15 12:00:00,9a1b0000-0000-4000-8000-00000000000b",
    ].join("\n") + "\n",
  );
  const out = join(dir, "mapping.json");
  const init = await runCli(["init", dump, "--out", out]);
  assert.equal(init.code, 0, init.stdout + init.stderr);
  assert.doesNotMatch(init.stdout, /does not load/);
  assert.match(init.stdout, /accessTokenExpiresAt ← access_token_expires_on \(zone-less\)/);
  assert.match(init.stdout, /refreshTokenExpiresAt ← refresh_token_expires_on \(zone-less\)/);
  assert.match(init.stdout, /Ignored on purpose \("ignore"\): id\n/);
  assert.match(init.stdout, /time\.timezone \(set to "Etc\/GMT-14", UTC\+14, for now\)/);
  const mapping = JSON.parse(readFileSync(out, "utf8")) as Record<string, unknown>;
  assert.equal(mapping.refreshTokenExpiry, undefined, "its refresh expiry column is mapped");
  fillClients(join(dir, "clients.csv"), webApp, "AUTHORIZATION_CODE");
  const dry = async (ledger: string) =>
    (await dryRunJson(dump, out, join(dir, ledger), ["--now", "2025-06-01T12:00:00Z"])).summary;
  // Read at UTC+14 until told otherwise, both access tokens have expired: refresh-only, never later.
  const early = await dry("a.db");
  assert.deepEqual([early.created, early.reasons, early.lifetimes["refresh-only"]], [2, {}, 2]);
  // Read in the zone they were written in, AT-n1 (13:00) still lives an hour; AT-n2 (11:00) has expired.
  writeFileSync(out, JSON.stringify({ ...mapping, time: { timezone: "UTC" } }));
  const zoned = await dry("b.db");
  assert.deepEqual([zoned.created, zoned.lifetimes["refresh-only"], zoned.lifetimes["< 1 h"]], [2, 1, 1]);
});

test("init names grant type values its map does not know (their rows would be rejected), first", async (t) => {
  const dir = tempDir(t);
  const dump = join(dir, "tokens.csv");
  writeFileSync(
    dump,
    "token,client_id,user_id,expires_at,grant_type\nAT-g1,web,alice,2099-01-01T00:00:00Z,authorization-code\nAT-g2,web,bob,2099-01-01T00:00:00Z,password\n",
  );
  const init = await runCli(["init", dump, "--out", join(dir, "mapping.json")]);
  assert.equal(init.code, 0, init.stderr);
  assert.match(
    init.stdout,
    /Left to decide:\n {2}- grantTypes: "authorization-code" in grant_type is not mapped to an Authlete grant type/,
  );
});
