import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import type { RunSummary } from "../../src/run/index.js";
import { tokenHash } from "../../src/shared/hash.js";
import { runCli } from "../helpers/cli.js";
import { authleteEnv, billingService, webApp, withEmulator } from "../helpers/emulator.js";
import { repoFile, tempDir } from "../helpers/paths.js";
import { compareTokens, type IssuedToken, type LegacyView } from "./compare-tokens.js";
import { hasDot, startDot, type RunningDot, type TokenAnswer } from "./dot-server.js";
import { hasPostgres, startPostgres, type RunningPostgres } from "./postgres.js";
import { passwordGrant } from "./servers.js";

const refreshSeconds = 86_400;
const skip =
  !(hasPostgres() && hasDot()) &&
  !process.env.CI &&
  "Debian's postgresql and python3-django-oauth-toolkit are not installed (.ci/run installs them)";

/** The preset's own export query: the test runs what the preset tells a user to run. */
const exportQuery = (
  JSON.parse(readFileSync(repoFile("presets/django-oauth-toolkit.json"), "utf8")) as {
    export: { postgresql: string };
  }
).export.postgresql;

interface Issued {
  label: string;
  answer: TokenAnswer;
  app: "web" | "svc" | "code";
}

/**
 * DOT as the comparison asks it; it refreshes with a token not revoked and still linked to its access
 * token (it never reads an expiry; an unlinked one fails in get_original_scopes, as the test shows).
 */
function dotView(dot: RunningDot, pg: RunningPostgres): LegacyView {
  return {
    introspect: (token) => dot.introspect(token),
    refreshUsable: (token) =>
      pg
        .psql(
          dot.database,
          `SELECT revoked IS NULL AND access_token_id IS NOT NULL FROM oauth2_provider_refreshtoken WHERE token = '${token}'`,
        )
        .trim() === "t",
  };
}

const clientOf = { web: webApp, svc: billingService, code: webApp };
const asIssued = (list: Issued[]): IssuedToken[] =>
  list.map(({ label, answer, app }) => ({
    label,
    access: answer.access_token,
    refresh: answer.refresh_token,
    client: clientOf[app],
  }));

test(
  "django-oauth-toolkit on PostgreSQL: tokens issued, rotated and revoked at the real server answer the same at Authlete after migration and after a catch-up",
  { skip },
  async (t) => {
    const pg = await startPostgres(t);
    const dot = await startDot(t, pg, { refreshTokenExpireSeconds: refreshSeconds });
    const { emulator } = await withEmulator(t);
    const dir = tempDir(t);

    const password = (user: string) => dot.token("web", passwordGrant(user, "read write"));
    const issued: Issued[] = [];
    const issue = async (label: string, app: Issued["app"], answer: Promise<TokenAnswer>) => {
      const got = { label, app, answer: await answer };
      issued.push(got);
      return got.answer;
    };
    const alice1 = await issue("alice-1", "web", password("alice"));
    const alice2 = await issue("alice-2", "web", password("alice"));
    const bob1 = await issue("bob-1", "web", password("bob"));
    const bob2 = await issue("bob-2", "web", password("bob"));
    await issue("zoë", "web", password("zoë"));
    // The authorization code flow: alice signs in, DOT's authorize redirects with a code.
    const aliceCode = await issue("alice-code", "code", dot.authorize("alice"));
    const svc1 = await issue(
      "svc-1",
      "svc",
      dot.token("svc", { grant_type: "client_credentials", scope: "read" }),
    );
    // Rotation: alice-2's pair is replaced (DOT revokes the old refresh token and deletes the access token).
    await issue(
      "alice-3",
      "web",
      dot.token("web", { grant_type: "refresh_token", refresh_token: alice2.refresh_token! }),
    );
    // Revocations: bob-1's access token only (its refresh token stays usable at DOT), bob-2's refresh token.
    await dot.revoke(bob1.access_token, "access_token");
    await dot.revoke(bob2.refresh_token!, "refresh_token");
    // alice-1's access token expired an hour ago (as time passing would); its refresh token lives on.
    pg.psql(
      dot.database,
      `UPDATE oauth2_provider_accesstoken SET expires = now() - interval '1 hour' WHERE token = '${alice1.access_token}'`,
    );

    const dump = join(dir, "dump.csv");
    // A DateStyle that made every row time_invalid with the old preset: the query writes ISO UTC itself.
    const exportDump = () =>
      writeFileSync(dump, pg.psql(dot.database, exportQuery, { PGDATESTYLE: "SQL, DMY" }));
    exportDump();
    const mapping = join(dir, "mapping.json");
    writeFileSync(
      mapping,
      JSON.stringify({
        extends: "django-oauth-toolkit",
        clients: { "dot-web": webApp, "dot-svc": billingService, "dot-code": webApp },
        refreshTokenExpiry: { after: "accessTokenExpiresAt", seconds: refreshSeconds },
      }),
    );
    const migrate = (extra: string[] = []) =>
      runCli(
        ["migrate", dump, "--mapping", mapping, "--ledger", join(dir, "l.db"), "--json", ...extra],
        authleteEnv(emulator),
      );

    const first = await migrate();
    assert.equal(first.code, 1, first.stderr); // zoë: a non-ASCII user name is not an Authlete subject
    const summary = JSON.parse(first.stdout) as RunSummary;
    assert.deepEqual(summary.reasons, { subject_invalid: 1 });
    // Exported: alice-1 (refresh-only: its access token expired), alice-3, alice-code, svc-1 and zoë; alice-2
    // and bob-2 went with their revoked refresh tokens, bob-1 with its access token.
    assert.equal(summary.created, 4, first.stdout);
    const round1 = await compareTokens(dotView(dot, pg), emulator, asIssued(issued), new Set(["zoë"]));
    console.log(
      `django-oauth-toolkit round 1: issued=${issued.length} live=${round1.live} migrated=${summary.created} mismatches=${round1.mismatches.length} deadUsable=${round1.deadUsable} refreshUsableAtBoth=${round1.refreshUsableAtBoth}`,
    );
    // The grant type comes from the export: a password application's tokens are PASSWORD tokens at Authlete.
    assert.equal(
      emulator.store.byAccessHash(tokenHash(issued.find((x) => x.label === "alice-3")!.answer.access_token))
        ?.grantType,
      "PASSWORD",
    );
    assert.equal(emulator.store.byAccessHash(tokenHash(svc1.access_token))?.grantType, "CLIENT_CREDENTIALS");
    assert.equal(
      emulator.store.byAccessHash(tokenHash(aliceCode.access_token))?.grantType,
      "AUTHORIZATION_CODE",
    );
    assert.deepEqual(round1.mismatches, []);
    assert.equal(round1.deadUsable, 0);
    assert.equal(round1.refreshUsableAtBoth, 3); // alice-1, alice-3, alice-code
    // bob-1's refresh token, unlinked when its access token was revoked, no longer refreshes at DOT.
    await assert.rejects(
      dot.token("web", { grant_type: "refresh_token", refresh_token: bob1.refresh_token! }),
      /DOT \/o\/token\/ answered (400|500)/,
    );

    // The shadow check a user runs before cutover: both servers asked about the same tokens.
    const shadow = () =>
      runCli(
        [
          "compare",
          dump,
          "--mapping",
          mapping,
          "--ledger",
          join(dir, "l.db"),
          "--all",
          "--legacy-client-id",
          "dot-web",
          // DOT 1.x introspects access tokens only (a refresh token is "not active" there).
          "--no-refresh-tokens",
        ].concat(["--legacy-introspection", dot.introspectionUrl]),
        { ...authleteEnv(emulator), LEGACY_CLIENT_SECRET: "dot-web-secret" },
      );
    const agreed = await shadow();
    assert.equal(agreed.code, 0, agreed.stdout + agreed.stderr);
    assert.match(
      agreed.stdout,
      /^Compared 3 of 4 migrated tokens with the legacy server: 3 match; differences: none \(1 refresh-only, not compared\)/,
    );

    // Catch-up: more revocations and a rotation at DOT, a newer export.
    await dot.revoke(issued.find((i) => i.label === "alice-3")!.answer.refresh_token!, "refresh_token");
    await dot.revoke(svc1.access_token, "access_token");
    await issue(
      "alice-4",
      "web",
      dot.token("web", { grant_type: "refresh_token", refresh_token: alice1.refresh_token! }),
    );
    // Before the catch-up, the shadow check sees what DOT revoked since: still live at Authlete.
    const drifted = await shadow();
    assert.equal(drifted.code, 1, drifted.stdout + drifted.stderr);
    assert.match(drifted.stdout, /differences: active 2\b/);
    assert.match(
      drifted.stdout,
      /dump\.csv:\d+ sha256:[\w-]{8} active: active true at Authlete, false at the legacy server/,
    );
    assert.ok(!drifted.stdout.includes(svc1.access_token), "a fingerprint, never the value");
    // The migration's report shows the shadow check's verdict, as the pre-cutover page to read.
    const out = join(dir, "report");
    assert.equal((await runCli(["report", "--ledger", join(dir, "l.db"), "--out", out])).code, 0);
    const html = readFileSync(join(out, "report.html"), "utf8");
    assert.match(
      html,
      /data-check="compare" data-verdict="mismatch">.*✘ 3 of 4 migrated tokens checked: 1 match; differences: active 2/s,
    );
    assert.ok(!html.includes(svc1.access_token), "a fingerprint, never the value");
    exportDump();
    const silent = await migrate();
    assert.equal(
      silent.code,
      2,
      "a catch-up over a source that revokes by deleting rows must sync deletions",
    );
    assert.match(silent.stderr, /revokes tokens by deleting their rows.*--sync-deletions.*\[usage\]/);
    const caughtUp = await migrate(["--sync-deletions"]);
    assert.equal(caughtUp.code, 1, caughtUp.stderr);
    const round2 = await compareTokens(dotView(dot, pg), emulator, asIssued(issued), new Set(["zoë"]));
    console.log(
      `django-oauth-toolkit catch-up: issued=${issued.length} live=${round2.live} mismatches=${round2.mismatches.length} deadUsable=${round2.deadUsable} refreshUsableAtBoth=${round2.refreshUsableAtBoth}`,
    );
    assert.deepEqual(round2.mismatches, []);
    assert.equal(round2.deadUsable, 0);
    assert.equal(round2.refreshUsableAtBoth, 2); // alice-4, alice-code
    const after = await shadow();
    assert.equal(after.code, 0, after.stdout + after.stderr);
    assert.match(after.stdout, /^Compared 2 of 2 migrated tokens with the legacy server: 2 match/);
    for (const r of [agreed, drifted, after])
      assert.ok(
        ![r.stdout, r.stderr].some((o) => o.includes("dot-web-secret")),
        "the legacy secret is never shown",
      );
  },
);

test(
  "django-oauth-toolkit with REFRESH_TOKEN_EXPIRE_SECONDS = None: the mapping must say so, and service-default migrates",
  { skip },
  async (t) => {
    const pg = await startPostgres(t);
    const dot = await startDot(t, pg, { refreshTokenExpireSeconds: null });
    const { emulator } = await withEmulator(t);
    const dir = tempDir(t);
    const answer = await dot.token("web", passwordGrant("alice", "read"));
    const dump = join(dir, "dump.csv");
    writeFileSync(dump, pg.psql(dot.database, exportQuery));
    const migrate = (own: Record<string, unknown>) => {
      const mapping = join(dir, "mapping.json");
      writeFileSync(
        mapping,
        JSON.stringify({ extends: "django-oauth-toolkit", clients: { "dot-web": webApp }, ...own }),
      );
      return runCli(
        ["migrate", dump, "--mapping", mapping, "--ledger", join(dir, "l.db"), "--json"],
        authleteEnv(emulator),
      );
    };
    // Saying nothing about refresh lifetimes is refused, before anything is sent.
    const silent = await migrate({});
    assert.equal(silent.code, 2);
    assert.match(
      silent.stderr,
      /refresh tokens' expiry: Authlete would give them its default lifetime.*\[mapping_invalid\]/,
    );
    const stated = await migrate({ refreshTokenExpiry: "service-default" });
    assert.equal(stated.code, 0, stated.stderr);
    const tokens: IssuedToken[] = [
      { label: "alice", access: answer.access_token, refresh: answer.refresh_token, client: webApp },
    ];
    const round = await compareTokens(dotView(dot, pg), emulator, tokens, new Set());
    assert.deepEqual([round.mismatches, round.deadUsable, round.refreshUsableAtBoth], [[], 0, 1]);
  },
);
