import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import type { RunSummary } from "../../src/run/index.js";
import { runCli } from "../helpers/cli.js";
import { authleteEnv, bearer, billingService, serviceId, webApp, withEmulator } from "../helpers/emulator.js";
import { tempDir } from "../helpers/paths.js";
import { hasAuthlib, startAuthlib, type AuthlibAnswer, type RunningAuthlib } from "./authlib-server.js";
import { compareTokens, type IssuedToken, type LegacyView } from "./compare-tokens.js";
import { hasPostgres, startPostgres, type RunningPostgres } from "./postgres.js";
import { passwordGrant } from "./servers.js";

const skip =
  !(hasPostgres() && hasAuthlib()) &&
  !process.env.CI &&
  "Debian's postgresql and python3-authlib are not installed (.ci/run installs them)";

/** Authlib as the comparison asks it; a refresh token is usable by the server's own rule (server.py). */
function authlibView(server: RunningAuthlib, pg: RunningPostgres): LegacyView {
  return {
    introspect: (token) => server.introspect(token, "access_token"),
    refreshUsable: (token) =>
      pg
        .psql(
          server.database,
          `SELECT refresh_token_revoked_at = 0 AND (expires_in = 0 OR issued_at + 2 * expires_in >= extract(epoch FROM now())) FROM oauth2_token WHERE refresh_token = '${token}'`,
        )
        .trim() === "t",
  };
}

/** A refresh at Authlete (the emulator's /auth/token), as the authorization server would make it. */
async function refreshAtAuthlete(baseUrl: string, refreshToken: string, clientId: number) {
  const response = await fetch(`${baseUrl}/api/${serviceId}/auth/token`, {
    method: "POST",
    headers: { authorization: `Bearer ${bearer}`, "content-type": "application/json" },
    body: JSON.stringify({
      parameters: new URLSearchParams({
        grant_type: "refresh_token",
        refresh_token: refreshToken,
      }).toString(),
      clientId,
    }),
  });
  return ((await response.json()) as { action: string }).action === "OK";
}

test(
  "init on a server it has no preset for (Authlib, from Debian): its proposal fails closed as written, and once what it lists is decided every live token moves and no dead one is usable",
  { skip },
  async (t) => {
    const pg = await startPostgres(t);
    const server = await startAuthlib(t, pg);
    const dir = tempDir(t);
    const issued: (IssuedToken & { answer: AuthlibAnswer })[] = [];
    const issue = async (label: string, app: "web" | "svc", form: Record<string, string>) => {
      const answer = await server.token(app, form);
      issued.push({
        label,
        answer,
        access: answer.access_token,
        refresh: answer.refresh_token,
        client: app === "web" ? webApp : billingService,
      });
      return answer;
    };
    const password = (user: string) => passwordGrant(user, "read write");
    await issue("alice-1", "web", password("alice"));
    const alice2 = await issue("alice-2", "web", password("alice"));
    // Rotation: alice-2's refresh token ends (and with it, by is_revoked(), its access token).
    await issue("alice-3", "web", { grant_type: "refresh_token", refresh_token: alice2.refresh_token! });
    const bob1 = await issue("bob-1", "web", password("bob"));
    const bob2 = await issue("bob-2", "web", password("bob"));
    const bob3 = await issue("bob-3", "web", password("bob"));
    const alice4 = await issue("alice-4", "web", password("alice"));
    const alice5 = await issue("alice-5", "web", password("alice"));
    await issue("svc-1", "svc", { grant_type: "client_credentials", scope: "read" });
    const svc2 = await issue("svc-2", "svc", { grant_type: "client_credentials", scope: "read" });
    // RFC 7009 with each hint: the access token alone, the refresh token (both end), no hint (both end).
    await server.revoke("web", bob1.access_token, "access_token");
    await server.revoke("web", bob2.refresh_token!, "refresh_token");
    await server.revoke("web", bob3.access_token);
    await server.revoke("svc", svc2.access_token);
    // Time passing, as the clock would: alice-4's access token aged out (its refresh token lives two
    // lifetimes), alice-5's both.
    const age = (token: string, seconds: number) =>
      pg.psql(
        server.database,
        `UPDATE oauth2_token SET issued_at = issued_at - ${seconds} WHERE access_token = '${token}'`,
      );
    age(alice4.access_token, 5000);
    age(alice5.access_token, 8000);
    assert.equal((await server.introspect(alice4.access_token)).active, false);

    // The export a user makes: psql's \copy of the whole table.
    const dump = join(dir, "oauth2_token.csv");
    writeFileSync(dump, pg.psql(server.database, "\\copy oauth2_token TO STDOUT WITH CSV HEADER"));
    const out = join(dir, "mapping.json");
    const init = await runCli(["init", dump, "--out", out]);
    assert.equal(init.code, 0, init.stdout + init.stderr);
    assert.match(init.stdout, /^No preset matches/);
    assert.match(init.stdout, /Ignored on purpose \("ignore"\): (id, token_type|token_type, id)\n/);
    const decide = init.stdout.slice(init.stdout.indexOf("Left to decide:"));
    // What decides a token's life comes first: the revocation columns, the 0 that means never.
    assert.match(
      decide,
      /^Left to decide:\n {2}- columns\.revokedAt lists access_token_revoked_at, refresh_token_revoked_at: .*columns\.accessTokenRevokedAt/,
    );
    assert.match(decide, /expires_in holds 0 .*time\.neverExpires \{"expires_in": \["0"\]\}/);
    assert.match(decide, /refreshTokenExpiry \(set for now to end each refresh token with its access token/);
    assert.match(decide, /clients\.csv grant_type: no column holds the grant type/);
    const clients = readFileSync(join(dir, "clients.csv"), "utf8");
    assert.match(clients, /^legacy_id,client_id,grant_type,rows\n/);
    assert.match(clients, /\nauthlib-svc,,CLIENT_CREDENTIALS,2\n/, "a client without subjects: M2M");

    const { emulator: asWritten } = await withEmulator(t);
    const { emulator } = await withEmulator(t);
    const migrate = (target: typeof emulator, ledger: string) =>
      runCli(
        ["migrate", dump, "--mapping", out, "--ledger", join(dir, ledger), "--json"],
        authleteEnv(target),
      );
    // Only the clients filled in: the proposal as written leaves no dead token usable.
    writeFileSync(
      join(dir, "clients.csv"),
      `legacy_id,client_id,grant_type\nauthlib-web,${webApp},PASSWORD\nauthlib-svc,${billingService},CLIENT_CREDENTIALS\n`,
    );
    const first = await migrate(asWritten, "as-written.db");
    assert.ok(first.code === 0 || first.code === 1, first.stderr);
    const safe = await compareTokens(
      authlibView(server, pg),
      asWritten,
      issued,
      new Set(issued.map((i) => i.label)),
    );
    assert.equal(safe.deadUsable, 0, "as written, nothing the server considers dead is usable");

    // The decisions init listed, made as this server behaves.
    const mapping = JSON.parse(readFileSync(out, "utf8")) as {
      columns: Record<string, unknown>;
      time?: Record<string, unknown>;
    };
    writeFileSync(
      out,
      JSON.stringify({
        ...mapping,
        columns: {
          ...mapping.columns,
          revokedAt: ["refresh_token_revoked_at"],
          accessTokenRevokedAt: "access_token_revoked_at",
        },
        time: { ...mapping.time, neverExpires: { expires_in: ["0"] } },
        refreshTokenExpiry: { after: "issuedAt", column: "expires_in", factor: 2 },
      }),
    );
    const run = await migrate(emulator, "l.db");
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const summary = JSON.parse(run.stdout) as RunSummary;
    // alice-1, alice-3, svc-1, and refresh-only bob-1 (access revoked alone) and alice-4 (aged).
    assert.equal(summary.created, 5, run.stdout);
    const round = await compareTokens(authlibView(server, pg), emulator, issued, new Set());
    console.log(
      `authlib (no preset): issued=${issued.length} live=${round.live} migrated=${summary.created} mismatches=${round.mismatches.length} deadUsable=${round.deadUsable} refreshUsableAtBoth=${round.refreshUsableAtBoth}`,
    );
    assert.deepEqual(round.mismatches, []);
    assert.equal(round.deadUsable, 0);
    assert.equal(round.refreshUsableAtBoth, 4); // alice-1, alice-3, bob-1, alice-4
    // The shadow check asks the server about access and refresh tokens, expiries always compared.
    const shadow = () =>
      runCli(
        [
          "compare",
          dump,
          "--mapping",
          out,
          "--ledger",
          join(dir, "l.db"),
          "--all",
          "--legacy-client-id",
          "authlib-web",
        ].concat(["--legacy-introspection", server.introspectionUrl]),
        { ...authleteEnv(emulator), LEGACY_CLIENT_SECRET: "authlib-web-secret" },
      );
    const agreed = await shadow();
    assert.equal(agreed.code, 0, agreed.stdout + agreed.stderr);
    // Every migrated token is asked about, refresh-only ones by their refresh token (svc-1 never expires
    // at either: no exp at Authlib, persistent at Authlete).
    assert.match(
      agreed.stdout,
      /^Compared 5 of 5 migrated tokens with the legacy server: 5 match; differences: none\n/,
    );
    // bob-1 is held refresh-only: its refresh token, revoked at Authlib since, is the one difference.
    await server.revoke("web", bob1.refresh_token!, "refresh_token");
    const drifted = await shadow();
    assert.equal(drifted.code, 1, drifted.stdout + drifted.stderr);
    assert.match(drifted.stdout, /differences: refresh 1\n/);
    assert.match(
      drifted.stdout,
      /oauth2_token\.csv:\d+ sha256:[\w-]{8} refresh: refresh token usable true at Authlete, active false at the legacy server/,
    );
    assert.ok(!drifted.stdout.includes(bob1.refresh_token!), "a fingerprint, never the value");
    // The catch-up over a newer export ends it at Authlete too; the shadow check agrees again.
    writeFileSync(dump, pg.psql(server.database, "\\copy oauth2_token TO STDOUT WITH CSV HEADER"));
    const caughtUp = await migrate(emulator, "l.db");
    assert.equal(caughtUp.code, 0, caughtUp.stdout + caughtUp.stderr);
    assert.equal((JSON.parse(caughtUp.stdout) as RunSummary).reasons.revoked_since_migration, 1);
    const after = await shadow();
    assert.match(after.stdout, /^Compared 4 of 4 migrated tokens with the legacy server: 4 match/);
    // A refresh at Authlete, token by token, agrees with the server's own rule.
    for (const token of issued.filter((i) => i.refresh)) {
      const atLegacy = authlibView(server, pg).refreshUsable(token.refresh!);
      assert.equal(await refreshAtAuthlete(emulator.baseUrl, token.refresh!, webApp), atLegacy, token.label);
    }
    // alice-4's refresh token, its access token aged out, still refreshes at Authlib itself.
    const refreshed = await server.token("web", {
      grant_type: "refresh_token",
      refresh_token: alice4.refresh_token!,
    });
    assert.ok(refreshed.access_token);
  },
);
