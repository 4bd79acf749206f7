import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import type { RunSummary } from "../../src/run/index.js";
import { runCli } from "../helpers/cli.js";
import { authleteEnv, billingService, webApp, withEmulator } from "../helpers/emulator.js";
import { repoFile, tempDir } from "../helpers/paths.js";
import { compareTokens, type IssuedToken, type LegacyView } from "./compare-tokens.js";
import type { TokenAnswer } from "./dot-server.js";
import { hasOidcProvider, startOidcProvider, type RunningOidcProvider } from "./oidc-provider-server.js";
import { hasPostgres, startPostgres, type RunningPostgres } from "./postgres.js";

const skip =
  !(hasPostgres() && hasOidcProvider()) &&
  !process.env.CI &&
  "Debian's postgresql is not installed (.ci/run installs it)";

const exportQuery = (
  JSON.parse(readFileSync(repoFile("presets/oidc-provider.json"), "utf8")) as {
    export: { postgresql: string };
  }
).export.postgresql;

/**
 * oidc-provider as the comparison asks it: its own introspection, and a refresh token works while its row
 * is there unconsumed, unexpired, with its grant (a consumed one revokes the whole grant when reused).
 */
function providerView(op: RunningOidcProvider, pg: RunningPostgres): LegacyView {
  return {
    introspect: (token) => op.introspect(token),
    refreshUsable: (token) =>
      pg
        .psql(
          op.database,
          `SELECT count(*) FROM oidc_payloads r JOIN oidc_payloads g ON g.type = 'Grant' AND g.id = r.grant_id WHERE r.type = 'RefreshToken' AND r.id = '${token}' AND r.consumed_at IS NULL AND (r.payload->>'exp')::bigint > extract(epoch FROM now()) AND (g.payload->>'exp')::bigint > extract(epoch FROM now())`,
        )
        .trim() === "1",
  };
}

test(
  "oidc-provider (npm) on PostgreSQL: authorization-code tokens rotated, revoked and expired at the real server answer the same at Authlete after migration and after a catch-up",
  { skip },
  async (t) => {
    const pg = await startPostgres(t);
    const op = await startOidcProvider(t, pg);
    const { emulator } = await withEmulator(t);
    const dir = tempDir(t);

    const issued: IssuedToken[] = [];
    const issue = async (label: string, client: number, answer: Promise<TokenAnswer>) => {
      const got = await answer;
      issued.push({ label, access: got.access_token, refresh: got.refresh_token, client });
      return got;
    };
    const refresh = (label: string, from: TokenAnswer, app: "web" | "keep" = "web") =>
      issue(
        label,
        webApp,
        op.token(app, { grant_type: "refresh_token", refresh_token: from.refresh_token! }),
      );

    const alice1 = await issue("alice-1", webApp, op.authorize("alice"));
    assert.ok(alice1.refresh_token, "offline_access with consent gives a refresh token");
    // Rotation: alice-1's refresh token is consumed; its access token stays valid at oidc-provider.
    const alice2 = await refresh("alice-2", alice1);
    const bob1 = await issue("bob-1", webApp, op.authorize("bob"));
    await op.revoke(bob1.access_token); // deletes every token of bob's grant
    const carol1 = await issue("carol-1", webApp, op.authorize("carol"));
    // carol-1's access token expired an hour ago (as time passing would); her refresh token lives on.
    pg.psql(
      op.database,
      `UPDATE oidc_payloads SET payload = jsonb_set(payload, '{exp}', to_jsonb(extract(epoch FROM now())::bigint - 3600)) WHERE id = '${carol1.access_token}'`,
    );
    await issue(
      "svc-1",
      billingService,
      op.token("svc", { grant_type: "client_credentials", scope: "read" }),
    );
    // op-keep keeps its refresh token on refresh: erin-1's refresh token now also issued erin-2.
    const erin1 = await issue("erin-1", webApp, op.authorize("erin", "keep"));
    const erin2 = await refresh("erin-2", erin1, "keep");
    assert.equal(erin2.refresh_token, erin1.refresh_token, "kept, not rotated");

    const dump = join(dir, "dump.csv");
    const exportDump = () => writeFileSync(dump, pg.psql(op.database, exportQuery));
    exportDump();
    const mapping = join(dir, "mapping.json");
    writeFileSync(
      mapping,
      JSON.stringify({
        extends: "oidc-provider",
        clients: { "op-web": webApp, "op-keep": webApp, "op-svc": billingService },
      }),
    );
    const migrate = async (extra: string[] = []) => {
      const args = ["migrate", dump, "--mapping", mapping, "--ledger", join(dir, "l.db"), "--json", ...extra];
      const run = await runCli(args, authleteEnv(emulator));
      assert.equal(run.code, 0, run.stdout + run.stderr);
      return JSON.parse(run.stdout) as RunSummary;
    };

    const first = await migrate();
    // One row per token: alice-1's and alice-2's access tokens and alice-2's refresh token (alice-1's was
    // rotated), carol-1's refresh token (her access token expired), svc-1, erin-1's and erin-2's access
    // tokens and their one refresh token.
    assert.deepEqual([first.created, first.reasons], [8, { expired: 1 }], JSON.stringify(first));
    const round1 = await compareTokens(providerView(op, pg), emulator, issued, new Set());
    console.log(
      `oidc-provider round 1: issued=${issued.length} live=${round1.live} migrated=${first.created} mismatches=${round1.mismatches.length} deadUsable=${round1.deadUsable} refreshUsableAtBoth=${round1.refreshUsableAtBoth}`,
    );
    assert.deepEqual(round1.mismatches, []);
    assert.equal(round1.deadUsable, 0);
    assert.equal(round1.refreshUsableAtBoth, 4); // alice-2, carol-1, erin-1 and erin-2 (one kept token)

    // Catch-up: alice rotates again (alice-2 keeps its access token, its refresh token is consumed),
    // carol's refresh token is revoked (her grant goes), erin refreshes again (kept), dave signs in.
    await refresh("alice-3", alice2);
    await op.revoke(carol1.refresh_token!);
    await refresh("erin-3", erin2, "keep");
    await issue("dave-1", webApp, op.authorize("dave"));
    exportDump();
    const caughtUp = await migrate(["--sync-deletions"]);
    // alice-3's two tokens, erin-3's access token, dave-1's two tokens.
    assert.equal(caughtUp.created, 5, JSON.stringify(caughtUp));
    // alice-2's consumed refresh token and carol-1's revoked one, gone from the export.
    assert.equal(caughtUp.reasons.deleted_in_source, 2, JSON.stringify(caughtUp.reasons));
    assert.equal(
      caughtUp.reasons.refresh_ended_since_migration,
      undefined,
      "nothing paired: nothing to unpair",
    );
    const round2 = await compareTokens(providerView(op, pg), emulator, issued, new Set());
    console.log(
      `oidc-provider catch-up: issued=${issued.length} live=${round2.live} mismatches=${round2.mismatches.length} deadUsable=${round2.deadUsable} refreshUsableAtBoth=${round2.refreshUsableAtBoth}`,
    );
    assert.deepEqual(round2.mismatches, []);
    assert.equal(round2.deadUsable, 0);
    assert.equal(round2.refreshUsableAtBoth, 5); // alice-3, dave-1, erin-1..3 (one kept token)
  },
);
