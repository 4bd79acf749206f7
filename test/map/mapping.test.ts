import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { loadMapping, mapRow, parseMapping, type Payload, type Refusal } from "../../src/map/index.js";
import { MigrateError } from "../../src/shared/errors.js";
import { tempDir } from "../helpers/paths.js";

const columns = { accessToken: "token", clientId: "client", accessTokenExpiresAt: "expires" };

function refused(raw: unknown, pattern: RegExp): void {
  assert.throws(
    () => parseMapping(raw, "m.json"),
    (error: unknown) =>
      error instanceof MigrateError &&
      error.code === "mapping_invalid" &&
      error.exitCode === 2 &&
      pattern.test(error.message),
  );
}

test("unknown keys are named, at the top level and inside sections", () => {
  refused({ columns, colums: {} }, /unknown key\(s\) "colums"/);
  refused({ columns: { ...columns, acessToken: "x" } }, /columns has unknown key\(s\) "acessToken"/);
  refused({ columns, policy: { neverExpire: "x" } }, /policy has unknown key/);
});

test("a refusal names the bad field by its path, in the message and on the error", () => {
  assert.throws(
    () => parseMapping({ columns, properties: [{ key: "x", column: "c", hidden: "yes" }] }, "m.json"),
    (e: unknown) =>
      e instanceof MigrateError &&
      e.field === "properties[0].hidden" &&
      /properties\[0\]\.hidden must be a\(n\) boolean; got "yes"/.test(e.message),
  );
  refused({ columns, time: { timezone: 9 } }, /time\.timezone must be a\(n\) string; got 9/);
  refused({ columns, policy: { neverExpiringAccessToken: 1.5 } }, /policy\.neverExpiringAccessToken/);
});

test("required pieces are demanded: the access token column and an expiry", () => {
  refused({ columns: { clientId: "c", accessTokenExpiresAt: "e" } }, /accessToken is required/);
  refused({ columns: { accessToken: "t" } }, /expiry is never guessed/);
  refused({ columns: { accessToken: "t", accessTokenExpiresIn: "ttl" } }, /needs columns.issuedAt/);
});

test("bad values are refused with the value received", () => {
  refused(
    { columns, defaultGrantType: "REFRESH_TOKEN" },
    /defaultGrantType must be one of .*got "REFRESH_TOKEN"/,
  );
  refused({ columns, clients: { web: "12ab" } }, /clients.web must be a positive integer.*got "12ab"/);
  refused({ columns, scopes: { separator: ";" } }, /scopes.separator .* got ";"/);
  refused({ columns, time: { timezone: "Mars/Olympus" } }, /not an IANA time zone/);
  refused({ columns, clients: {}, clientsFile: "c.csv" }, /not both/);
  refused(
    { columns, properties: [{ key: "scope", column: "s" }] },
    /properties\[0\].key "scope" is reserved/,
  );
});

test("a clients file maps legacy ids to numeric client IDs and optional grant types", (t) => {
  const dir = tempDir(t);
  writeFileSync(
    join(dir, "clients.csv"),
    "legacy_id,client_id,grant_type\nweb,1001,\nsvc,1002,CLIENT_CREDENTIALS\n",
  );
  writeFileSync(join(dir, "mapping.json"), JSON.stringify({ columns, clientsFile: "clients.csv" }));
  const mapping = loadMapping(join(dir, "mapping.json"));
  assert.deepEqual(mapping.clients?.get("web"), { clientId: 1001 });
  assert.deepEqual(mapping.clients?.get("svc"), { clientId: 1002, grantType: "CLIENT_CREDENTIALS" });
  writeFileSync(join(dir, "bad.csv"), "web,notanumber\n");
  writeFileSync(join(dir, "bad.json"), JSON.stringify({ columns, clientsFile: "bad.csv" }));
  assert.throws(() => loadMapping(join(dir, "bad.json")), /numeric client_id/);
});

test("a mapping file that is not JSON is refused with exit code 2", (t) => {
  const file = join(tempDir(t), "broken.json");
  writeFileSync(file, "{ columns: ");
  assert.throws(
    () => loadMapping(file),
    (e: unknown) => e instanceof MigrateError && e.exitCode === 2 && /not valid JSON/.test(e.message),
  );
});

test("a key given twice in one object of a mapping, a key-ID file or a clients file is refused, located", (t) => {
  const dir = tempDir(t);
  const refusedFile = (text: string, pattern: RegExp, name = "m.json") => {
    writeFileSync(join(dir, name), text);
    assert.throws(
      () => loadMapping(join(dir, name)),
      (e: unknown) => e instanceof MigrateError && e.code === "mapping_invalid" && pattern.test(e.message),
    );
  };
  const cols = JSON.stringify(columns);
  // JSON.parse keeps the last: client "web" would silently go to 2002.
  refusedFile(
    `{"columns": ${cols},\n "clients": {"web": 1001,\n  "web": 2002}}`,
    /m\.json: has a key given twice in one object \(line 3, column 3\)/,
  );
  refusedFile(`{"columns": ${cols},\n"columns": ${cols}}`, /key given twice .*\(line 2, column 1\)/);
  // The same key in two different objects is fine.
  writeFileSync(join(dir, "ok.json"), `{"columns": ${cols}, "clients": {"columns": 1}}`);
  assert.equal(loadMapping(join(dir, "ok.json")).clients?.get("columns")?.clientId, 1);

  writeFileSync(join(dir, "kids.json"), '{"kids": ["a"], "kids": ["b"]}');
  refusedFile(
    JSON.stringify({
      columns,
      validKeyIds: { column: "kid", file: "kids.json" },
    }),
    /validKeyIds\.file kids\.json has a key given twice in one object \(line 1, column 17\)/,
  );
  writeFileSync(join(dir, "clients.csv"), "legacy_id,client_id\nweb,1001\nmobile,1002\nweb,2002\n");
  refusedFile(
    JSON.stringify({ columns, clientsFile: "clients.csv" }),
    /clientsFile .*clients\.csv line 4: legacy_id web is on line 2 too/,
  );
});

test("validKeyIds asks LINE only over TLS (plain HTTP on loopback), with one key file per channel", () => {
  const line = (l: unknown) => ({ columns, validKeyIds: { column: "kid", line: l } });
  const channels = { "1657000001": { privateKey: "k.json", kid: "abc" } };
  // Wherever a mapping points it, a signed assertion goes to LINE only (the command line may say otherwise).
  for (const baseUrl of ["http://api.line.example", "https://evil.example", "http://127.0.0.1:9999"])
    refused(line({ channels, baseUrl }), /baseUrl may only be LINE's own https:\/\/api\.line\.me/);
  refused(line({ channels: {} }), /validKeyIds\.line must be \{ "channels"/);
  refused(line({ channels: { "1657000001": { kid: "abc" } } }), /channels\.1657000001 must be/);
  refused(line({ channels, secret: "x" }), /validKeyIds\.line has unknown key/);
  refused(
    { columns, validKeyIds: { column: "kid", file: "k.json", line: { channels } } },
    /validKeyIds must be/,
  );
  const parsed = parseMapping(line({ channels, baseUrl: "https://api.line.me/" }), "/maps/m.json");
  assert.equal(
    parsed.validKeyIds?.ids,
    undefined,
    "asked before the first row, not when the mapping is read",
  );
  assert.deepEqual(parsed.validKeyIds?.issuer, {
    baseUrl: "https://api.line.me",
    audience: "https://api.line.me/",
    channels: new Map([["1657000001", { privateKeyFile: "/maps/k.json", kid: "abc" }]]),
  });
  assert.equal(
    parseMapping(line({ channels }), "m.json").validKeyIds?.issuer?.baseUrl,
    "https://api.line.me",
  );
});

test("a refresh token's lifetime is stated: a column, a lifetime after the access expiry or issue, or service-default", (t) => {
  const withRefresh = { ...columns, refreshToken: "refresh", subject: "user" };
  refused({ columns: withRefresh }, /columns\.refreshToken is mapped but not the refresh tokens' expiry/);
  refused(
    { columns: withRefresh, refreshTokenExpiry: { after: "issuedAt", seconds: 60 } },
    /needs columns\.issuedAt/,
  );
  refused(
    { columns: withRefresh, refreshTokenExpiry: { after: "accessTokenExpiresAt", seconds: -1 } },
    /refreshTokenExpiry\.seconds must be 0 or more; got -1/,
  );
  refused(
    { columns: { ...withRefresh, refreshTokenExpiresAt: "rx" }, refreshTokenExpiry: "service-default" },
    /not both/,
  );
  const mapping = parseMapping(
    {
      columns: withRefresh,
      clients: { web: 1001 },
      refreshTokenExpiry: { after: "accessTokenExpiresAt", seconds: 86_400 },
    },
    "m.json",
  );
  const now = Date.UTC(2026, 0, 1);
  const row = (expires: string) => ({
    file: "d.csv",
    rowNo: 1,
    fields: { token: "A1", refresh: "R1", client: "web", user: "alice", expires },
  });
  const live = mapRow(row("2026-01-01T01:00:00Z"), { mapping, now });
  assert.equal(live.kind === "payload" && live.refreshExpiresAt, Date.UTC(2026, 0, 2, 1));
  // An access token expired an hour ago: its refresh token lives on for the rest of the day (refresh-only).
  const refreshOnly = mapRow(row("2025-12-31T23:00:00Z"), { mapping, now });
  assert.equal(refreshOnly.kind === "payload" && refreshOnly.refreshOnly, true);
  assert.equal(refreshOnly.kind === "payload" && refreshOnly.refreshExpiresAt, Date.UTC(2026, 0, 1, 23));

  // null in an extends file switches a preset's setting off: Doorkeeper's :hex tokens are values, not hashes.
  const file = join(tempDir(t), "hex.json");
  writeFileSync(
    file,
    JSON.stringify({
      extends: "doorkeeper",
      clients: { app: 1001 },
      time: { timezone: "UTC" },
      unrecoverable: null,
    }),
  );
  assert.equal(loadMapping(file).unrecoverable, undefined);
  writeFileSync(
    file,
    JSON.stringify({ extends: "doorkeeper", clients: { app: 1001 }, time: { timezone: "UTC" } }),
  );
  assert.equal(loadMapping(file).unrecoverable?.stores, "SHA-256 hash");
});

test("constants and computed values: default scopes for rows without any, and issuedAt + N s + factor × a duration column", () => {
  const now = Date.UTC(2026, 0, 1);
  const base = { accessToken: "token", clientId: "client", subject: "user", issuedAt: "issued" };
  const mapping = parseMapping(
    {
      columns: base,
      clients: { web: 1001 },
      scopes: { default: ["openid", "legacy"] },
      accessTokenExpiry: { after: "issuedAt", seconds: 60, column: "expires_in", factor: 2 },
    },
    "m.json",
  );
  const row = (fields: Record<string, string>) =>
    mapRow(
      { file: "d.csv", rowNo: 1, fields: { token: "A1", client: "web", user: "alice", ...fields } },
      { mapping, now },
    );
  const issued = "2026-01-01T00:00:00Z";
  const mapped = row({ issued, expires_in: "1800" });
  assert.equal(mapped.kind, "payload");
  assert.equal((mapped as Payload).accessExpiresAt, now + (60 + 2 * 1800) * 1000);
  assert.deepEqual((mapped as Payload).request.scopes, ["openid", "legacy"]);
  const bad = row({ issued, expires_in: "soon" });
  assert.deepEqual(
    [bad.kind, (bad as Refusal).reason, (bad as Refusal).column],
    ["rejected", "time_invalid", "expires_in"],
  );
  refused(
    { columns: base, accessTokenExpiry: { after: "issuedAt" } },
    /accessTokenExpiry needs seconds, a column, or both/,
  );
  refused(
    {
      columns: { ...base, accessTokenExpiresAt: "exp" },
      accessTokenExpiry: { after: "issuedAt", seconds: 5 },
    },
    /not both/,
  );
  refused({ columns: base, scopes: { default: "openid" } }, /scopes\.default must be a\(n\) array/);
});
