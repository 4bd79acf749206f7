import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { loadMapping } from "../../src/map/index.js";
import { tokenHash } from "../../src/shared/hash.js";
import { startBridge } from "../bridge/helpers.js";
import { webApp, withEmulator } from "../helpers/emulator.js";
import { tempDir } from "../helpers/paths.js";
import { defaultSeed } from "../helpers/emulator.js";
import { hasDoorkeeper, startDoorkeeper } from "./doorkeeper-server.js";
import { hasPostgres, startPostgres } from "./postgres.js";
import { passwordGrant } from "./servers.js";

const skip =
  !(hasPostgres() && hasDoorkeeper()) &&
  !process.env.CI &&
  "Debian's postgresql, ruby-rails, ruby-doorkeeper and ruby-pg are not installed (.ci/run installs them)";

const web = defaultSeed().clients.find((c) => c.clientId === webApp)!;

test(
  "Doorkeeper with hash_token_secrets behind the bridge: live tokens (none of which a dump can carry) become usable at Authlete on first use, with Doorkeeper's facts; revoked and expired ones never; a refresh token refreshes; a token revoked through the bridge is revoked at Doorkeeper and never created",
  { skip },
  async (t) => {
    const pg = await startPostgres(t);
    const dk = await startDoorkeeper(t, pg, { timezone: "UTC", hashTokenSecrets: true });
    const { emulator } = await withEmulator(t);
    const dir = tempDir(t);
    const mappingFile = join(dir, "mapping.json");
    writeFileSync(
      mappingFile,
      JSON.stringify({ extends: "doorkeeper", clients: { "dk-web": webApp }, time: { timezone: "UTC" } }),
    );
    const issue = (user: string) => dk.token("web", passwordGrant(user, "read"));
    const [alice, revoked, refreshed, unused, expired] = [
      await issue("alice"),
      await issue("alice"),
      await issue("alice"),
      await issue("alice"),
      await issue("alice"),
    ];
    await dk.revoke(revoked!.access_token);
    // Expired by Doorkeeper's own rule (created_at + expires_in, 2 h): its row issued a day earlier. With
    // hash_token_secrets the row holds the SHA-256 hex of the value.
    const digest = createHash("sha256").update(expired!.access_token).digest("hex");
    const backdated = pg.psql(
      dk.database,
      `UPDATE oauth_access_tokens SET created_at = created_at - interval '1 day' WHERE token = '${digest}' RETURNING id`,
    );
    assert.match(backdated, /^\d+\n$/, "exactly one row back-dated");
    assert.equal((await dk.introspect(expired!.access_token)).active, false, "Doorkeeper calls it expired");
    const bridge = await startBridge(
      t,
      emulator,
      {
        introspectionUrl: dk.introspectionUrl,
        revocationUrl: dk.introspectionUrl.replace(/introspect$/, "revoke"),
        clientId: "dk-web",
        clientSecret: "dk-web-secret",
      },
      { mapping: loadMapping(mappingFile), dir },
    );
    // Issued at Doorkeeper after "the last export" (there is none that could carry them anyway).
    const late = await issue("alice");

    for (const token of [alice!, late]) {
      const legacy = await dk.introspect(token.access_token);
      const answer = await bridge.call("auth/introspection", { token: token.access_token });
      assert.equal(answer.body.action, "OK", JSON.stringify(answer.body));
      assert.deepEqual(
        [answer.body.subject, answer.body.clientId, answer.body.scopes],
        [legacy.sub, webApp, ["read"]],
      );
      const held = emulator.store.byAccessHash(tokenHash(token.access_token))!;
      assert.ok(held.accessExpiresAt! <= legacy.exp! * 1000, "never later than Doorkeeper's exp");
    }
    for (const token of [revoked!, expired!]) {
      const dead = await bridge.call("auth/introspection", { token: token.access_token });
      assert.equal(dead.body.action, "UNAUTHORIZED");
      assert.equal(emulator.store.byAccessHash(tokenHash(token.access_token)), undefined);
    }

    const parameters = new URLSearchParams({
      grant_type: "refresh_token",
      refresh_token: refreshed!.refresh_token!,
    });
    const refresh = await bridge.call("auth/token", {
      parameters: parameters.toString(),
      clientId: webApp,
      clientSecret: web.clientSecret,
    });
    assert.equal(refresh.body.action, "OK", JSON.stringify(refresh.body));

    const revocation = new URLSearchParams({ token: unused!.access_token, token_type_hint: "access_token" });
    const out = await bridge.call("auth/revocation", {
      parameters: revocation.toString(),
      clientId: webApp,
      clientSecret: web.clientSecret,
    });
    assert.equal(out.body.action, "OK");
    assert.equal((await dk.introspect(unused!.access_token)).active, false, "revoked at Doorkeeper too");
    assert.equal(
      (await bridge.call("auth/introspection", { token: unused!.access_token })).body.action,
      "UNAUTHORIZED",
    );
    assert.equal(emulator.store.byAccessHash(tokenHash(unused!.access_token)), undefined);
    const summary = await bridge.stop();
    assert.equal(summary.lazy.created, 3, JSON.stringify(summary));
    assert.equal(summary.tombstones, 1);
  },
);
