import assert from "node:assert/strict";
import { test } from "node:test";
import { tokenHash } from "../../src/shared/hash.js";
import { ledgerStatus } from "../helpers/ledger.js";
import { runCli } from "../helpers/cli.js";
import { liveRows, writeDump, writeMapping } from "../helpers/dumps.js";
import {
  authleteEnv,
  bearer,
  defaultSeed,
  mobileApp,
  serviceId,
  webApp,
  withEmulator,
} from "../helpers/emulator.js";
import { legacyStandIn, type LegacyToken } from "../helpers/legacy-stand-in.js";
import { tokenValue } from "../helpers/dumps.js";
import { startBridge } from "./helpers.js";

const inSeconds = (s: number) => Math.floor(Date.now() / 1000) + s;
const web = defaultSeed().clients.find((c) => c.clientId === webApp)!;

test("the bridge creates on first use a live legacy token Authlete does not hold, with the legacy facts and an expiry never later; dead ones never", async (t) => {
  const { emulator } = await withEmulator(t);
  const [live, expired, noExp, unauthenticated] = ["live", "expired", "noexp", "unauth"].map(tokenValue);
  const legacyExp = inSeconds(3600);
  const tokens = new Map<string, LegacyToken>([
    [live!, { active: true, client_id: "web", sub: "alice", scope: "openid profile", exp: legacyExp }],
    [expired!, { active: false }],
    [noExp!, { active: true, client_id: "web", sub: "bob", scope: "openid" }],
    [unauthenticated!, { active: true, client_id: "web", sub: "eve", scope: "openid", exp: legacyExp }],
  ]);
  const legacy = await legacyStandIn(t, tokens);
  const bridge = await startBridge(t, emulator, legacy);

  const first = await bridge.call("auth/introspection", { token: live });
  assert.equal(first.body.action, "OK", JSON.stringify(first.body));
  assert.deepEqual(
    [first.body.subject, first.body.clientId, first.body.scopes],
    ["alice", webApp, ["openid", "profile"]],
  );
  const held = emulator.store.byAccessHash(tokenHash(live!))!;
  assert.ok(held.accessExpiresAt! <= legacyExp * 1000, "never later than the legacy exp");
  // Known to Authlete now: the next use never reaches the legacy server.
  const before = legacy.asked.introspections;
  assert.equal((await bridge.call("auth/introspection", { token: live })).body.action, "OK");
  assert.equal(legacy.asked.introspections, before);

  // Inactive at the legacy server: Authlete's own answer, and asked once however often it comes.
  for (let i = 0; i < 3; i++)
    assert.equal((await bridge.call("auth/introspection", { token: expired })).body.action, "UNAUTHORIZED");
  assert.equal(legacy.asked.hints.filter((h) => h === "access_token").length, 2, "the dead token asked once");
  // Active, but no exp: never created with a lifetime of the tool's choosing.
  assert.equal((await bridge.call("auth/introspection", { token: noExp })).body.action, "UNAUTHORIZED");
  assert.equal(emulator.store.byAccessHash(tokenHash(noExp!)), undefined);
  // Its answer will not make a token next time either: not asked again.
  const askedNoExp = legacy.asked.introspections;
  assert.equal((await bridge.call("auth/introspection", { token: noExp })).body.action, "UNAUTHORIZED");
  assert.equal(legacy.asked.introspections, askedNoExp);
  // Another client's revocation of the created token: Authlete answers OK (RFC 7009) and leaves it alone,
  // so the ledger keeps it as created — an OK proves nothing of a token the caller does not own.
  const mobile = defaultSeed().clients.find((c) => c.clientId === mobileApp)!;
  const foreign = new URLSearchParams({ token: live! }).toString();
  const revoke = await bridge.call("auth/revocation", {
    parameters: foreign,
    clientId: mobileApp,
    clientSecret: mobile.clientSecret,
  });
  assert.equal(revoke.body.action, "OK");
  assert.ok(emulator.store.byAccessHash(tokenHash(live!)), "Authlete still holds it");
  assert.equal((await bridge.call("auth/introspection", { token: live })).body.action, "OK");
  // A caller Authlete does not authenticate never triggers a legacy call.
  const asked = legacy.asked.introspections;
  const refused = await bridge.call("auth/introspection", { token: unauthenticated }, "not-the-bearer");
  assert.equal(refused.status, 401);
  assert.equal(legacy.asked.introspections, asked);

  // Every other call passes through as it is (a GET without a body too).
  const service = await fetch(`${bridge.base}/api/${serviceId}/service/get`, {
    headers: { authorization: `Bearer ${bearer}` },
  });
  assert.equal(service.status, 200);
  assert.equal(
    ((await service.json()) as { apiKey?: unknown; serviceName?: string }).serviceName !== undefined,
    true,
  );

  const summary = await bridge.stop();
  // inactive: the dead token 3 times (once asked, twice remembered), the no-exp token's second use.
  assert.deepEqual(summary.lazy, { created: 1, inactive: 4, refused: 1 });
  const ledger = ledgerStatus(bridge.ledgerFile);
  assert.equal(ledger.states.created, 1, "the lazy creation is a ledger entry");
  assert.equal(ledger.runs.at(-1)?.status, "completed");
  const status = await runCli(["status", "--ledger", bridge.ledgerFile]);
  assert.match(
    status.stdout,
    /live completed bridge: first uses created 1, inactive 4, refused 1, 1 revoked/,
  );
  for (const line of bridge.logs)
    for (const value of tokens.keys()) assert.ok(!line.includes(value), "no token value in the log");
});

test("a legacy refresh token unknown at Authlete is created refresh-only through the bridge, and the refresh then runs at Authlete", async (t) => {
  const { emulator } = await withEmulator(t);
  const refresh = tokenValue("rt");
  const tokens = new Map<string, LegacyToken>([
    [refresh, { active: true, client_id: "web", sub: "carol", scope: "openid", exp: inSeconds(30 * 86400) }],
  ]);
  const legacy = await legacyStandIn(t, tokens);
  const bridge = await startBridge(t, emulator, legacy);
  const parameters = new URLSearchParams({ grant_type: "refresh_token", refresh_token: refresh }).toString();
  const answer = await bridge.call("auth/token", {
    parameters,
    clientId: webApp,
    clientSecret: web.clientSecret,
  });
  assert.equal(answer.body.action, "OK", JSON.stringify(answer.body));
  const issued = JSON.parse(String(answer.body.responseContent)) as {
    access_token: string;
    refresh_token: string;
  };
  assert.ok(issued.access_token && issued.refresh_token);
  assert.deepEqual(legacy.asked.hints, ["refresh_token"]);
  assert.equal(
    (await bridge.call("auth/introspection", { token: issued.access_token })).body.subject,
    "carol",
  );
});

test("a token revoked through the bridge before its first use is never created afterwards, by the bridge or by a later batch run", async (t) => {
  const { emulator } = await withEmulator(t);
  const [row] = liveRows(1);
  const tokens = new Map<string, LegacyToken>([
    [
      row!.token,
      { active: true, client_id: "web", sub: row!.user!, scope: row!.scopes, exp: inSeconds(3600) },
    ],
  ]);
  const legacy = await legacyStandIn(t, tokens);
  const bridge = await startBridge(t, emulator, legacy);
  const parameters = new URLSearchParams({ token: row!.token, token_type_hint: "access_token" }).toString();
  const revoked = await bridge.call("auth/revocation", {
    parameters,
    clientId: webApp,
    clientSecret: web.clientSecret,
  });
  assert.equal(revoked.body.action, "OK", JSON.stringify(revoked.body));
  assert.equal(legacy.asked.revocations, 1, "sent on to the legacy server");
  // The legacy server would say active still (a missed revocation): the tombstone decides.
  tokens.get(row!.token)!.active = true;
  assert.equal((await bridge.call("auth/introspection", { token: row!.token })).body.action, "UNAUTHORIZED");
  assert.equal(emulator.store.byAccessHash(tokenHash(row!.token)), undefined);
  await bridge.stop();

  // A catch-up export that still holds it as live: the batch run on the same ledger does not create it.
  const dump = writeDump(bridge.dir, "catch-up.csv", [row!]);
  const run = await runCli(
    ["migrate", dump, "--mapping", writeMapping(bridge.dir), "--ledger", bridge.ledgerFile, "--json"],
    authleteEnv(emulator),
  );
  assert.equal(run.code, 0, run.stderr);
  const summary = JSON.parse(run.stdout) as { created: number; reasons: Record<string, number> };
  assert.equal(summary.created, 0);
  assert.equal(summary.reasons.revoked_through_bridge, 1);
  assert.equal(emulator.store.byAccessHash(tokenHash(row!.token)), undefined);
});

test("the standard introspection (RFC 7662 for the AS's own endpoint) migrates on first use too: Authlete's own introspection tells unknown from expired", async (t) => {
  const { emulator } = await withEmulator(t);
  const [live, dead] = [tokenValue("std"), tokenValue("dead")];
  const tokens = new Map<string, LegacyToken>([
    [live, { active: true, client_id: "mobile", sub: "erin", scope: "openid", exp: inSeconds(600) }],
  ]);
  const legacy = await legacyStandIn(t, tokens);
  const bridge = await startBridge(t, emulator, legacy);
  const ask = (token: string) =>
    bridge.call("auth/introspection/standard", { parameters: new URLSearchParams({ token }).toString() });
  const answer = await ask(live);
  assert.equal(answer.body.action, "OK");
  const content = JSON.parse(String(answer.body.responseContent)) as {
    active: boolean;
    sub: string;
    exp: number;
  };
  assert.deepEqual([content.active, content.sub], [true, "erin"]);
  assert.ok(content.exp <= inSeconds(600));
  assert.equal(JSON.parse(String((await ask(dead)).body.responseContent)).active, false);
  assert.equal(emulator.store.byAccessHash(tokenHash(dead)), undefined);
});

test("two bridge instances meeting the same unknown token at once create it once; a batch run beside a bridge on its ledger is refused, naming the holder", async (t) => {
  const { emulator } = await withEmulator(t);
  const value = tokenValue("twice");
  const tokens = new Map<string, LegacyToken>([
    [value, { active: true, client_id: "web", sub: "frank", scope: "openid", exp: inSeconds(900) }],
  ]);
  const legacy = await legacyStandIn(t, tokens);
  // Both look it up before either creates it.
  legacy.state.delayMs = 300;
  const [one, two] = [await startBridge(t, emulator, legacy), await startBridge(t, emulator, legacy)];
  const answers = await Promise.all([one, two].map((b) => b.call("auth/introspection", { token: value })));
  assert.deepEqual(
    answers.map((a) => a.body.action),
    ["OK", "OK"],
  );
  assert.equal(emulator.store.stats().creates[tokenHash(value)], 1, "created once");
  const [dump] = [writeDump(one.dir, "d.csv", liveRows(1))];
  const run = await runCli(
    ["migrate", dump, "--mapping", writeMapping(one.dir), "--ledger", one.ledgerFile, "--json"],
    authleteEnv(emulator),
  );
  assert.equal(run.code, 2, run.stderr);
  assert.match(run.stderr, /is still using this ledger/);
});

test("a client's tokens for a subject revoked through the bridge: none of that pair's legacy tokens is created afterwards, by the bridge or a batch run", async (t) => {
  const { emulator } = await withEmulator(t);
  const [grace, other, ivy] = liveRows(3).map((r, i) => ({
    ...r,
    client: "web",
    user: ["grace", "henry", "ivy"][i]!,
  }));
  const facts = (r: typeof grace): LegacyToken => ({
    active: true,
    client_id: "web",
    sub: r!.user!,
    scope: r!.scopes,
    exp: inSeconds(3600),
  });
  const tokens = new Map<string, LegacyToken>([
    [grace!.token, facts(grace)],
    [other!.token, facts(other)],
    [ivy!.token, facts(ivy)],
  ]);
  const legacy = await legacyStandIn(t, tokens);
  const bridge = await startBridge(t, emulator, legacy);
  const revoke = await bridge.call("auth/token/revoke", {
    clientIdentifier: String(webApp),
    subject: "grace",
  });
  assert.equal(revoke.status, 200, JSON.stringify(revoke.body));
  assert.equal(
    (await bridge.call("auth/introspection", { token: grace!.token })).body.action,
    "UNAUTHORIZED",
  );
  assert.equal((await bridge.call("auth/introspection", { token: other!.token })).body.action, "OK");
  // A grant deletion (the client's authorization for a subject) tombstones the pair alike.
  const deleted = await fetch(`${bridge.base}/api/${serviceId}/client/authorization/delete/${webApp}/ivy`, {
    method: "DELETE",
    headers: { authorization: `Bearer ${bearer}` },
  });
  assert.equal(deleted.status, 200, await deleted.text());
  assert.equal((await bridge.call("auth/introspection", { token: ivy!.token })).body.action, "UNAUTHORIZED");
  const summary = await bridge.stop();
  assert.equal(summary.tombstones, 2);

  const dump = writeDump(bridge.dir, "later.csv", [grace!, { ...other!, token: tokenValue("new") }]);
  const args = [
    "migrate",
    dump,
    "--mapping",
    writeMapping(bridge.dir),
    "--ledger",
    bridge.ledgerFile,
    "--json",
  ];
  const dry = JSON.parse((await runCli([...args, "--dry-run"], authleteEnv(emulator))).stdout) as {
    created: number;
    reasons: Record<string, number>;
  };
  const run = await runCli(args, authleteEnv(emulator));
  assert.equal(run.code, 0, run.stderr);
  const live = JSON.parse(run.stdout) as typeof dry;
  for (const s of [dry, live]) assert.deepEqual([s.created, s.reasons.revoked_through_bridge], [1, 1]);
  assert.equal(emulator.store.byAccessHash(tokenHash(grace!.token)), undefined);
});
