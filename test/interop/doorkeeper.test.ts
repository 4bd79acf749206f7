import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import type { RunSummary } from "../../src/run/index.js";
import { runCli } from "../helpers/cli.js";
import { authleteEnv, billingService, webApp, withEmulator } from "../helpers/emulator.js";
import { repoFile, tempDir } from "../helpers/paths.js";
import { compareTokens, type IssuedToken } from "./compare-tokens.js";
import { hasDoorkeeper, startDoorkeeper } from "./doorkeeper-server.js";
import { hasPostgres, startPostgres } from "./postgres.js";
import { passwordGrant } from "./servers.js";

const zone = "Asia/Tokyo";
const skip =
  !(hasPostgres() && hasDoorkeeper()) &&
  !process.env.CI &&
  "Debian's postgresql, ruby-rails, ruby-doorkeeper and ruby-pg are not installed (.ci/run installs them)";

const exportQuery = (
  JSON.parse(readFileSync(repoFile("presets/doorkeeper.json"), "utf8")) as { export: { postgresql: string } }
).export.postgresql;

test(
  "Doorkeeper on PostgreSQL, Rails default_timezone :local in Tokyo, revoke-on-use: no revoked, expired or superseded token comes back at Authlete",
  { skip },
  async (t) => {
    const pg = await startPostgres(t);
    const dk = await startDoorkeeper(t, pg, { timezone: zone });
    const { emulator } = await withEmulator(t);
    const dir = tempDir(t);

    const password = (user: string) => dk.token("web", passwordGrant(user, "read write"));
    const alice1 = await password("alice");
    const alice2 = await password("alice");
    const bob1 = await password("bob");
    const svc1 = await dk.token("svc", { grant_type: "client_credentials", scope: "read" });
    const code1 = await dk.authorize("alice"); // the authorization code flow, alice signed in
    // Revoke-on-use: alice-2 stays valid at Doorkeeper until alice-3 is first used.
    const alice3 = await dk.token("web", {
      grant_type: "refresh_token",
      refresh_token: alice2.refresh_token!,
    });
    await dk.revoke(bob1.access_token);
    // alice-1 was issued three hours ago (as time passing would): its 2-hour access token has expired.
    pg.psql(
      dk.database,
      `UPDATE oauth_access_tokens SET created_at = created_at - interval '3 hours' WHERE token = '${alice1.access_token}'`,
    );

    const dump = join(dir, "dump.csv");
    writeFileSync(dump, pg.psql(dk.database, exportQuery));
    const mapping = (timezone: string) => {
      const file = join(dir, `mapping-${timezone.replace("/", "-")}.json`);
      writeFileSync(
        file,
        JSON.stringify({
          extends: "doorkeeper",
          clients: { "dk-web": webApp, "dk-svc": billingService, "dk-code": webApp },
          time: { timezone },
        }),
      );
      return file;
    };
    const run = (timezone: string, extra: string[]) =>
      runCli(
        [
          "migrate",
          dump,
          "--mapping",
          mapping(timezone),
          "--ledger",
          join(dir, `${timezone.replace("/", "-")}.db`),
          "--json",
          ...extra,
        ],
        authleteEnv(emulator),
      );

    // With the zone guessed as UTC, Tokyo wall-clock times read 9 hours late: bob-1's revocation and alice-2's
    // supersession lie "in the future" and alice-1 looks fresh — the dry run shows all six would be live.
    const guessed = JSON.parse((await run("UTC", ["--dry-run"])).stdout) as RunSummary;
    assert.deepEqual([guessed.created, guessed.reasons.revoked ?? 0], [6, 0]);

    const migrated = await run(zone, []);
    assert.equal(migrated.code, 0, migrated.stderr);
    const summary = JSON.parse(migrated.stdout) as RunSummary;
    // alice-1 refresh-only, alice-3, code-1 and svc-1 created; bob-1 (revoked) and alice-2 (superseded) skipped.
    assert.deepEqual([summary.created, summary.reasons], [4, { revoked: 2 }]);

    // alice-3's first use makes Doorkeeper revoke alice-2, as the migration already did.
    await dk.use(alice3.access_token);
    const issued: IssuedToken[] = [
      ["alice-1", alice1, webApp],
      ["alice-2", alice2, webApp],
      ["alice-3", alice3, webApp],
      ["bob-1", bob1, webApp],
      ["svc-1", svc1, billingService],
      ["code-1", code1, webApp],
    ].map(([label, answer, client]) => ({
      label: label as string,
      access: (answer as typeof alice1).access_token,
      refresh: (answer as typeof alice1).refresh_token,
      client: client as number,
    }));
    const view = {
      introspect: (token: string) => dk.introspect(token),
      // Doorkeeper refreshes with a token whose row is not revoked (refresh tokens never expire there).
      refreshUsable: (token: string) =>
        pg
          .psql(
            dk.database,
            `SELECT revoked_at IS NULL FROM oauth_access_tokens WHERE refresh_token = '${token}'`,
          )
          .trim() === "t",
    };
    const round = await compareTokens(view, emulator, issued, new Set());
    console.log(
      `doorkeeper: issued=${issued.length} live=${round.live} migrated=${summary.created} mismatches=${round.mismatches.length} deadUsable=${round.deadUsable} refreshUsableAtBoth=${round.refreshUsableAtBoth}`,
    );
    assert.deepEqual(round.mismatches, []);
    assert.equal(round.deadUsable, 0);
    assert.equal(round.refreshUsableAtBoth, 3); // alice-1, alice-3, code-1

    // Catch-up: alice-3's refresh token and svc-1 are revoked, code-1 is refreshed and its successor used
    // (which revokes code-1 at Doorkeeper); Doorkeeper marks rows revoked, so no deletions to sync.
    await dk.revoke(alice3.refresh_token!);
    await dk.revoke(svc1.access_token, "svc");
    const code2 = await dk.token("code", {
      grant_type: "refresh_token",
      refresh_token: code1.refresh_token!,
    });
    await dk.use(code2.access_token);
    issued.push({
      label: "code-2",
      access: code2.access_token,
      refresh: code2.refresh_token,
      client: webApp,
    });
    writeFileSync(dump, pg.psql(dk.database, exportQuery));
    const caughtUp = await run(zone, []);
    assert.equal(caughtUp.code, 0, caughtUp.stderr);
    const again = JSON.parse(caughtUp.stdout) as RunSummary;
    assert.equal(again.created, 1, caughtUp.stdout); // code-2
    assert.equal(again.reasons.revoked_since_migration, 3, caughtUp.stdout); // alice-3, svc-1, code-1
    const round2 = await compareTokens(view, emulator, issued, new Set());
    console.log(
      `doorkeeper catch-up: issued=${issued.length} live=${round2.live} mismatches=${round2.mismatches.length} deadUsable=${round2.deadUsable} refreshUsableAtBoth=${round2.refreshUsableAtBoth}`,
    );
    assert.deepEqual(round2.mismatches, []);
    assert.equal(round2.deadUsable, 0);
    assert.equal(round2.refreshUsableAtBoth, 2); // alice-1, code-2
  },
);

test(
  "Doorkeeper's :hex generator and hash_token_secrets: plain 64-hex tokens migrate once the hash pattern is switched off; hashed ones are never sent",
  { skip },
  async (t) => {
    const pg = await startPostgres(t);
    const hex = await startDoorkeeper(t, pg, { timezone: "UTC", generator: "hex" });
    const hashed = await startDoorkeeper(t, pg, {
      timezone: "UTC",
      generator: "hex",
      hashTokenSecrets: true,
    });
    const { emulator } = await withEmulator(t);
    const dir = tempDir(t);
    const issue = (dk: typeof hex) => dk.token("web", passwordGrant("alice", "read"));
    const plain = await issue(hex);
    const secret = await issue(hashed);
    assert.match(plain.access_token, /^[0-9a-f]{64}$/, "the documented :hex generator");

    const migrate = async (dk: typeof hex, name: string, own: Record<string, unknown>) => {
      const dump = join(dir, `${name}.csv`);
      writeFileSync(dump, pg.psql(dk.database, exportQuery));
      const mapping = join(dir, `${name}.json`);
      const clients = { "dk-web": webApp, "dk-svc": billingService };
      writeFileSync(
        mapping,
        JSON.stringify({ extends: "doorkeeper", clients, time: { timezone: "UTC" }, ...own }),
      );
      const args = ["migrate", dump, "--mapping", mapping, "--ledger", join(dir, `${name}.db`), "--json"];
      return JSON.parse((await runCli(args, authleteEnv(emulator))).stdout) as RunSummary;
    };
    // Taken for SHA-256 hashes by the preset's pattern; switched off, they are values and migrate.
    assert.deepEqual((await migrate(hex, "hex-as-is", {})).reasons, { value_not_recoverable: 1 });
    assert.equal((await migrate(hex, "hex", { unrecoverable: null })).created, 1);
    const round = await compareTokens(
      {
        introspect: (token) => hex.introspect(token),
        refreshUsable: (token) =>
          pg
            .psql(
              hex.database,
              `SELECT revoked_at IS NULL FROM oauth_access_tokens WHERE refresh_token = '${token}'`,
            )
            .trim() === "t",
      },
      emulator,
      [{ label: "alice", access: plain.access_token, refresh: plain.refresh_token, client: webApp }],
      new Set(),
    );
    assert.deepEqual([round.mismatches, round.deadUsable, round.refreshUsableAtBoth], [[], 0, 1]);

    // hash_token_secrets: the table holds digests; nothing is sent, and the client keeps the old server.
    const fromHashed = await migrate(hashed, "hashed", {});
    assert.deepEqual([fromHashed.created, fromHashed.reasons], [0, { value_not_recoverable: 1 }]);
    assert.notEqual(
      pg.psql(hashed.database, "SELECT token FROM oauth_access_tokens").trim(),
      secret.access_token,
    );
  },
);
