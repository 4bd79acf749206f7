import assert from "node:assert/strict";
import { test } from "node:test";
import { mapRow, parseMapping, type MapResult } from "../../src/map/index.js";
import { MigrateError } from "../../src/shared/errors.js";

// An Authlib-style token table (authlib.integrations.sqla_oauth2.OAuth2TokenMixin): epoch issued_at,
// expires_in (0 = never), and two revocation columns holding an epoch time or 0.
const now = Date.UTC(2026, 0, 1, 12);
const epoch = (ms: number) => String(Math.floor(ms / 1000));
const hour = 3_600_000;

const tokenColumns = {
  accessToken: "access_token",
  refreshToken: "refresh_token",
  clientId: "client_id",
  subject: "user_id",
  issuedAt: "issued_at",
  accessTokenExpiresIn: "expires_in",
};

const authlib = (own: Record<string, unknown> = {}) =>
  parseMapping(
    {
      columns: {
        ...tokenColumns,
        revokedAt: ["refresh_token_revoked_at"],
        accessTokenRevokedAt: "access_token_revoked_at",
      },
      clients: { c: { clientId: 7, grantType: "PASSWORD" } },
      time: {
        neverExpires: { expires_in: ["0"] },
        notRevoked: { access_token_revoked_at: ["0"], refresh_token_revoked_at: ["0"] },
      },
      refreshTokenExpiry: { after: "issuedAt", column: "expires_in", factor: 2 },
      ...own,
    },
    "authlib.json",
  );

const row = (fields: Record<string, string>) => ({
  file: "tokens.csv",
  rowNo: 1,
  line: 2,
  fields: {
    access_token: "AT1",
    refresh_token: "RT1",
    client_id: "c",
    user_id: "7",
    issued_at: epoch(now - hour),
    expires_in: "7200",
    access_token_revoked_at: "0",
    refresh_token_revoked_at: "0",
    ...fields,
  },
});

const fate = (r: MapResult) =>
  r.kind === "payload" ? (r.refreshOnly ? "refresh-only" : "payload") : `${r.kind}:${r.reason}`;

test("per-column sentinels: expires_in 0 means never, while 0 in a revocation column means not revoked", () => {
  const mapping = authlib();
  const never = mapRow(row({ expires_in: "0" }), { mapping, now });
  assert.equal(never.kind === "payload" && never.accessExpiresAt, null, "sent persistent");
  assert.equal(never.kind === "payload" && never.refreshExpiresAt, null);
  // The same 0 in another column is no sentinel there: a duration of 0 s ended at its issue.
  const strict = authlib({ time: { neverExpires: { other: ["0"] }, notRevoked: ["0", null, ""] } });
  assert.equal(fate(mapRow(row({ expires_in: "0" }), { mapping: strict, now })), "skipped:expired");
  // Without the list, 0 in a revocation column still reads as the flag "false"; 1 as "true".
  const unlisted = authlib({ time: { neverExpires: { expires_in: ["0"] } } });
  assert.equal(fate(mapRow(row({}), { mapping: unlisted, now })), "payload");
  assert.equal(
    fate(mapRow(row({ refresh_token_revoked_at: "1" }), { mapping: unlisted, now })),
    "skipped:revoked",
  );
});

test("a computed refresh expiry: issued_at + 2 × expires_in, as Authlib's example server refreshes", () => {
  const mapping = authlib();
  const live = mapRow(row({}), { mapping, now });
  assert.equal(live.kind === "payload" && live.accessExpiresAt, now + hour);
  assert.equal(live.kind === "payload" && live.refreshExpiresAt, now + 3 * hour);
  // Access expired, refresh still within 2 × expires_in: refresh-only.
  const later = mapRow(row({ issued_at: epoch(now - 3 * hour) }), { mapping, now });
  assert.equal(fate(later), "refresh-only");
  assert.equal(later.kind === "payload" && later.refreshExpiresAt, now + hour);
  assert.equal(fate(mapRow(row({ issued_at: epoch(now - 5 * hour) }), { mapping, now })), "skipped:expired");
});

test("revokedAt lists several columns: the row ends at the earliest, whichever column holds it", () => {
  const mapping = authlib({
    columns: { ...tokenColumns, revokedAt: ["access_token_revoked_at", "refresh_token_revoked_at"] },
  });
  for (const column of ["access_token_revoked_at", "refresh_token_revoked_at"])
    assert.equal(fate(mapRow(row({ [column]: epoch(now - 1000) }), { mapping, now })), "skipped:revoked");
  // A value none of the forms in the second column of the list: rejected, naming that column.
  const bad = mapRow(row({ refresh_token_revoked_at: "someday" }), { mapping, now });
  assert.equal(fate(bad), "rejected:time_invalid");
  assert.equal(bad.kind === "rejected" && bad.column, "refresh_token_revoked_at");
  // Two future revocations: both tokens end at the earlier one.
  const capped = mapRow(
    row({
      access_token_revoked_at: epoch(now + 20 * 60_000),
      refresh_token_revoked_at: epoch(now + 600_000),
    }),
    { mapping, now },
  );
  assert.equal(capped.kind === "payload" && capped.accessExpiresAt, now + 600_000);
  assert.equal(capped.kind === "payload" && capped.refreshExpiresAt, now + 600_000);
});

test("an access token revoked alone: its live refresh token goes over refresh-only, and never the access token", () => {
  const mapping = authlib();
  const result = mapRow(row({ access_token_revoked_at: epoch(now - 1000) }), { mapping, now });
  assert.equal(fate(result), "refresh-only");
  assert.ok(result.kind === "payload");
  assert.notEqual(result.request.accessToken, "AT1", "the revoked access token is never sent");
  assert.equal(result.request.refreshToken, "RT1");
  assert.equal(result.revokedAccessToken, "AT1", "kept to revoke a copy migrated earlier");
  // The whole row revoked (Authlib's is_revoked: the refresh column ends both).
  const both = mapRow(
    row({ access_token_revoked_at: epoch(now - 1000), refresh_token_revoked_at: epoch(now - 1000) }),
    { mapping, now },
  );
  assert.equal(fate(both), "skipped:revoked");
  // Access revoked and the refresh token aged out: revoked (a migrated copy must be revoked, not left).
  const aged = mapRow(row({ access_token_revoked_at: epoch(now - 1000), issued_at: epoch(now - 5 * hour) }), {
    mapping,
    now,
  });
  assert.equal(fate(aged), "skipped:revoked");
  // A policy that skips refresh-only rows skips this one as revoked.
  const skip = authlib({ policy: { expiredAccessTokenWithLiveRefreshToken: "skip" } });
  const skipped = mapRow(row({ access_token_revoked_at: epoch(now - 1000) }), { mapping: skip, now });
  assert.equal(fate(skipped), "skipped:revoked");
  // A future access-only revocation caps the access token alone.
  const future = mapRow(row({ access_token_revoked_at: epoch(now + 60_000) }), { mapping, now });
  assert.equal(future.kind === "payload" && future.accessExpiresAt, now + 60_000);
  assert.equal(future.kind === "payload" && future.refreshExpiresAt, now + 3 * hour);
});

test("no default grant type: every mapped client names its grant type, or the mapping is refused", () => {
  const columns = { accessToken: "t", clientId: "c", subject: "u", accessTokenExpiresAt: "e" };
  assert.throws(
    () =>
      parseMapping(
        {
          columns,
          defaultGrantType: null,
          clients: { web: 1, svc: { clientId: 2, grantType: "CLIENT_CREDENTIALS" } },
        },
        "m.json",
      ),
    (e: unknown) =>
      e instanceof MigrateError && e.code === "mapping_invalid" && /legacy client\(s\) "web"/.test(e.message),
  );
  assert.throws(
    () => parseMapping({ columns, defaultGrantType: null }, "m.json"),
    /a grant type column or a client map/,
  );
  const named = parseMapping(
    { columns, defaultGrantType: null, clients: { svc: { clientId: 2, grantType: "CLIENT_CREDENTIALS" } } },
    "m.json",
  );
  const svc = mapRow(
    { file: "d.csv", rowNo: 1, fields: { t: "AT", c: "svc", u: "", e: "2999-01-01T00:00:00Z" } },
    { mapping: named, now },
  );
  assert.equal(svc.kind === "payload" && svc.request.grantType, "CLIENT_CREDENTIALS");
});
