import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import type { RunSummary } from "../../src/run/index.js";
import { tokenHash } from "../../src/shared/hash.js";
import { runCli } from "../helpers/cli.js";
import { generatedMapping, writeMapping } from "../helpers/dumps.js";
import { authleteEnv, withEmulator } from "../helpers/emulator.js";
import { tempDir } from "../helpers/paths.js";

test("resources, acr, auth time and session reach Authlete, and what it cannot hold is counted row by row", async (t) => {
  const { emulator } = await withEmulator(t);
  const dir = tempDir(t);
  const iso = (ms: number) => new Date(ms).toISOString();
  const now = Date.now();
  const token = "AT-with-attributes-0123456789abcdefghijklmnopq";
  const dump = join(dir, "t.csv");
  writeFileSync(
    dump,
    [
      "token,refresh_token,client,user,scopes,created_at,expires_at,refresh_expires_at,revoked_at,audience,acr,auth_time,sid,refresh_scopes",
      `${token},RT-with-attributes-0123456789abcdefghijklmn,web,alice,openid profile,${iso(now - 60_000)},${iso(now + 3_600_000)},${iso(now + 86_400_000)},,https://api.example.com/,urn:acr:silver,${iso(now - 90_000)},sess-1,openid profile email`,
      "",
    ].join("\n"),
  );
  const mapping = {
    ...generatedMapping,
    columns: {
      ...generatedMapping.columns,
      issuedAt: "created_at",
      resources: "audience",
      acr: "acr",
      authTime: "auth_time",
      sessionId: "sid",
      refreshTokenScopes: "refresh_scopes",
    },
  };
  const args = [
    "migrate",
    dump,
    "--mapping",
    writeMapping(dir, mapping),
    "--ledger",
    join(dir, "l.db"),
    "--json",
  ];
  const result = await runCli(args, authleteEnv(emulator));
  assert.equal(result.code, 0, result.stderr);
  const summary = JSON.parse(result.stdout) as Required<RunSummary>;
  assert.deepEqual(summary.notCarried, { issue_time: 1, broader_refresh_scopes: 1 });
  assert.deepEqual(summary.notCarriedRows.broader_refresh_scopes, [`${dump}:2`]);
  assert.deepEqual(emulator.store.byAccessHash(tokenHash(token))?.attributes, {
    resources: ["https://api.example.com/"],
    acr: "urn:acr:silver",
    authTime: Math.floor((now - 90_000) / 1000),
    sessionId: "sess-1",
  });
});
