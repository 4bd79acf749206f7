import assert from "node:assert/strict";
import { test } from "node:test";
import { mapRow, parseMapping, type MapResult, type Payload, type Refusal } from "../../src/map/index.js";
import { probeTokenFor, tokenHash } from "../../src/shared/hash.js";
import { lifetimesAt } from "../../src/write/index.js";

const now = Date.UTC(2025, 5, 1, 12, 0, 0);
const hour = 3_600_000;

const mapping = parseMapping(
  {
    columns: {
      accessToken: "token",
      refreshToken: "refresh",
      clientId: "client",
      subject: "user",
      scopes: "scope",
      grantType: "grant",
      accessTokenExpiresAt: "expires",
      refreshTokenExpiresAt: "refresh_expires",
      revokedAt: "revoked_at",
    },
    clients: { web: 1001, svc: { clientId: 1002, grantType: "CLIENT_CREDENTIALS" } },
    grantTypes: { authorization_code: "AUTHORIZATION_CODE", password: "PASSWORD" },
    scopes: { separator: " ", map: { legacy_admin: null, old: "new" } },
    time: { neverExpires: ["infinity"] },
    properties: [{ key: "legacy_id", column: "id", hidden: true }],
  },
  "test-mapping.json",
);

const liveRow = {
  id: 7,
  token: "AT-live.value_~+/==",
  refresh: "RT-live",
  client: "web",
  user: "alice",
  scope: "openid old legacy_admin",
  grant: "authorization_code",
  expires: "2025-06-01 14:00:00",
  refresh_expires: "2025-07-01 00:00:00",
  revoked_at: null,
};

function map(fields: Record<string, unknown>, m = mapping): MapResult {
  return mapRow({ file: "dump.csv", rowNo: 1, fields }, { mapping: m, now });
}

function payload(fields: Record<string, unknown>): Payload {
  const result = map(fields);
  assert.equal(result.kind, "payload", `expected a payload, got ${JSON.stringify(result)}`);
  return result as Payload;
}

function refusal(fields: Record<string, unknown>, kind: Refusal["kind"], reason: Refusal["reason"]): Refusal {
  const result = map(fields);
  assert.equal(result.kind, kind, JSON.stringify(result));
  assert.equal((result as Refusal).reason, reason);
  return result as Refusal;
}

test("a live row keeps its token values byte for byte and maps client, subject, scopes and properties", () => {
  const p = payload(liveRow);
  assert.equal(p.request.accessToken, liveRow.token);
  assert.equal(p.request.refreshToken, liveRow.refresh);
  assert.equal(p.key, tokenHash(liveRow.token));
  assert.equal(p.refreshHash, tokenHash(liveRow.refresh));
  assert.equal(p.request.clientId, 1001);
  assert.equal(p.request.subject, "alice");
  assert.equal(p.request.grantType, "AUTHORIZATION_CODE");
  assert.deepEqual(p.request.scopes, ["openid", "new"]);
  assert.deepEqual(p.request.properties, [{ key: "legacy_id", value: "7", hidden: true }]);
  assert.equal(p.accessExpiresAt, now + 2 * hour);
  assert.equal(p.refreshOnly, false);
});

test("remaining lifetimes are computed at send time, rounded down and never reach the legacy expiry", () => {
  const p = payload(liveRow);
  assert.deepEqual(lifetimesAt(p, now), {
    accessTokenDuration: 7199,
    refreshTokenDuration: 2_548_799,
    dropRefreshToken: false,
  });
  const later = lifetimesAt(p, now + hour + 500);
  assert.ok(later !== "expired");
  assert.equal(later.accessTokenDuration, 3599, "a row that waited an hour is sent with an hour less");
  assert.equal(lifetimesAt(p, now + 2 * hour - 1400), "expired", "less than 1.5 seconds left is not sent");
});

test("a token with whitespace or characters outside b64token is rejected, never trimmed", () => {
  refusal({ ...liveRow, token: " AT-padded" }, "rejected", "token_invalid_syntax");
  refusal({ ...liveRow, token: "AT-padded\n" }, "rejected", "token_invalid_syntax");
  refusal({ ...liveRow, token: "AT-ok", refresh: "bad refresh" }, "rejected", "token_invalid_syntax");
  const r = refusal({ ...liveRow, token: null, refresh: null }, "rejected", "token_missing");
  assert.equal(r.key, null);
});

test("expired and revoked rows are skipped; a future revocation caps the expiry", () => {
  refusal({ ...liveRow, expires: "2025-06-01 11:00:00", refresh: null }, "skipped", "expired");
  refusal({ ...liveRow, revoked_at: "2025-06-01 11:59:00" }, "skipped", "revoked");
  refusal({ ...liveRow, revoked_at: "true" }, "skipped", "revoked");
  const capped = payload({ ...liveRow, revoked_at: "2025-06-01 13:00:00" });
  assert.equal(capped.accessExpiresAt, now + hour);
  assert.equal(capped.refreshExpiresAt, now + hour);
});

test("an expired access token with a live refresh token is migrated refresh-only, without the old value", () => {
  const p = payload({ ...liveRow, expires: "2025-06-01 11:00:00" });
  assert.equal(p.refreshOnly, true);
  assert.notEqual(p.request.accessToken, liveRow.token);
  assert.equal(p.request.accessToken, probeTokenFor(liveRow.refresh));
  assert.equal(p.request.refreshToken, liveRow.refresh);
  assert.equal(p.key, tokenHash(liveRow.token), "the ledger still knows the row by its legacy access token");
  assert.deepEqual(lifetimesAt(p, now), {
    accessTokenDuration: 1,
    refreshTokenDuration: 2_548_799,
    dropRefreshToken: false,
  });
  const skipPolicy = parseMapping(
    {
      columns: {
        accessToken: "token",
        refreshToken: "refresh",
        clientId: "client",
        subject: "user",
        accessTokenExpiresAt: "expires",
      },
      clients: { web: 1001 },
      refreshTokenExpiry: "service-default",
      policy: { expiredAccessTokenWithLiveRefreshToken: "skip" },
    },
    "m",
  );
  const skipped = map({ ...liveRow, expires: "2025-06-01 11:00:00" }, skipPolicy);
  assert.deepEqual([skipped.kind, (skipped as Refusal).reason], ["skipped", "expired_access_token"]);
});

test("a row without a live refresh token gets a one-second refresh lifetime for the one Authlete generates", () => {
  const p = payload({ ...liveRow, refresh: null });
  assert.equal(p.request.refreshToken, undefined);
  assert.deepEqual(lifetimesAt(p, now), {
    accessTokenDuration: 7199,
    refreshTokenDuration: 1,
    dropRefreshToken: false,
  });
  assert.deepEqual(
    lifetimesAt(p, now, { expirationLinked: true }),
    { accessTokenDuration: 7199, refreshTokenDuration: 7199, dropRefreshToken: false },
    "with tokenExpirationLinked a one-second refresh token would cut the access token to one second",
  );
  const deadRefresh = payload({ ...liveRow, refresh_expires: "2025-06-01 11:00:00" });
  assert.equal(deadRefresh.request.refreshToken, undefined, "an expired refresh token is not sent");
});

test("a never-expiring token is persistent, or capped by the policy's maximum lifetime", () => {
  assert.equal(payload({ ...liveRow, expires: "infinity" }).accessExpiresAt, null);
  assert.deepEqual(lifetimesAt(payload({ ...liveRow, expires: "infinity" }), now), {
    accessTokenPersistent: true,
    refreshTokenDuration: 2_548_799,
    dropRefreshToken: false,
  });
  const capped = parseMapping(
    {
      columns: { accessToken: "token", clientId: "client", subject: "user", accessTokenExpiresAt: "expires" },
      clients: { web: 1001 },
      time: { neverExpires: [null] },
      policy: { neverExpiringAccessToken: 3600 },
    },
    "m",
  );
  const result = map({ ...liveRow, expires: null }, capped) as Payload;
  assert.equal(result.accessExpiresAt, now + hour);
  refusal({ ...liveRow, expires: null }, "rejected", "expiry_missing");
});

test("clients: an unmapped legacy id is rejected naming it; a client entry can fix the grant type", () => {
  const r = refusal({ ...liveRow, client: "partner" }, "rejected", "client_unknown");
  assert.equal(r.legacyClient, "partner");
  assert.match(r.detail, /partner/);
  refusal({ ...liveRow, client: null }, "rejected", "client_missing");
  const cc = payload({ ...liveRow, client: "svc", grant: null, user: "ignored" });
  assert.equal(cc.request.grantType, "CLIENT_CREDENTIALS");
  assert.equal(cc.request.subject, undefined, "client credentials carry no subject");
  refusal({ ...liveRow, grant: "implicit_grant" }, "rejected", "grant_type_unknown");
  assert.equal(payload({ ...liveRow, grant: "password" }).request.grantType, "PASSWORD");
});

test("without a client map the column must hold a numeric Authlete client ID", () => {
  const numeric = parseMapping(
    {
      columns: { accessToken: "token", clientId: "client", subject: "user", accessTokenExpiresAt: "expires" },
    },
    "m",
  );
  assert.equal(
    (map({ ...liveRow, client: "26888344961664" }, numeric) as Payload).request.clientId,
    26888344961664,
  );
  assert.equal((map({ ...liveRow, client: "web" }, numeric) as Refusal).reason, "client_unknown");
});

test("subjects: required for user grants, printable ASCII of at most 100 characters", () => {
  refusal({ ...liveRow, user: null }, "rejected", "subject_missing");
  refusal({ ...liveRow, user: "jürgen" }, "rejected", "subject_invalid");
  refusal({ ...liveRow, user: "x".repeat(101) }, "rejected", "subject_invalid");
  assert.equal(payload({ ...liveRow, user: 42 }).request.subject, "42");
});

test("scopes: each separator, JSON lists, and control characters refused", () => {
  const withSeparator = (separator: string) =>
    parseMapping(
      {
        columns: {
          accessToken: "token",
          clientId: "client",
          subject: "user",
          scopes: "scope",
          accessTokenExpiresAt: "expires",
        },
        clients: { web: 1001 },
        scopes: { separator },
      },
      "m",
    );
  assert.deepEqual((map({ ...liveRow, scope: "a,b, c" }, withSeparator(",")) as Payload).request.scopes, [
    "a",
    "b",
    "c",
  ]);
  assert.deepEqual((map({ ...liveRow, scope: "a|b" }, withSeparator("|")) as Payload).request.scopes, [
    "a",
    "b",
  ]);
  assert.deepEqual(
    (map({ ...liveRow, scope: '["orders:read","orders:write"]' }, withSeparator("json")) as Payload).request
      .scopes,
    ["orders:read", "orders:write"],
  );
  assert.equal(
    (map({ ...liveRow, scope: "not json" }, withSeparator("json")) as Refusal).reason,
    "scope_invalid",
  );
  refusal({ ...liveRow, scope: "openid\u0007bell" }, "rejected", "scope_invalid");
});

test("an unreadable time is rejected naming its column", () => {
  const r = refusal({ ...liveRow, expires: "next tuesday" }, "rejected", "time_invalid");
  assert.equal(r.column, "expires");
  refusal({ ...liveRow, revoked_at: "soon" }, "rejected", "time_invalid");
});

test("a malformed source record is rejected with the reader's detail", () => {
  const result = mapRow(
    { file: "f.csv", rowNo: 3, fields: {}, error: { detail: "bad record" } },
    { mapping, now },
  );
  assert.deepEqual(
    [result.kind, (result as Refusal).reason, (result as Refusal).detail],
    ["rejected", "malformed_row", "bad record"],
  );
});
