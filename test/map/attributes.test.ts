import assert from "node:assert/strict";
import { test } from "node:test";
import { mapRow, parseMapping, type Payload, type Refusal } from "../../src/map/index.js";

const now = Date.UTC(2025, 5, 1, 12, 0, 0);

const mapping = parseMapping(
  {
    columns: {
      accessToken: "token",
      clientId: "client",
      subject: "user",
      scopes: "scope",
      issuedAt: "created_at",
      accessTokenExpiresAt: "expires",
      resources: "audience",
      acr: "acr",
      authTime: "auth_time",
      authorizationDetails: "authorization_details",
      clientIdAliasUsed: "alias_used",
      sessionId: "sid",
      refreshTokenScopes: "refresh_scope",
    },
    clients: { web: 1001 },
  },
  "attributes.json",
);

const row = {
  token: "AT-attrs",
  client: "web",
  user: "alice",
  scope: "openid payments",
  created_at: "2025-06-01 11:00:00",
  expires: "2025-06-01 14:00:00",
  audience: '["https://api.example.com/", "https://pay.example.com/"]',
  acr: "urn:mace:incommon:iap:silver",
  auth_time: "2025-06-01 10:59:30",
  authorization_details:
    '[{"type":"payment_initiation","actions":["initiate"],"instructedAmount":{"currency":"EUR","amount":"12.00"}}]',
  alias_used: "t",
  sid: "sess-42",
  refresh_scope: "openid payments",
};

const map = (fields: Record<string, unknown>) =>
  mapRow({ file: "dump.csv", rowNo: 1, fields }, { mapping, now }) as Payload | Refusal;

test("resources, acr, auth time, authorization details, alias use and session ID are carried into the create request", () => {
  const p = map(row) as Payload;
  assert.equal(p.kind, "payload");
  assert.deepEqual(p.request.resources, ["https://api.example.com/", "https://pay.example.com/"]);
  assert.equal(p.request.acr, "urn:mace:incommon:iap:silver");
  assert.equal(p.request.authTime, Date.UTC(2025, 5, 1, 10, 59, 30) / 1000, "seconds since the epoch");
  assert.deepEqual(p.request.authorizationDetails, {
    elements: [
      {
        type: "payment_initiation",
        actions: ["initiate"],
        otherFields: '{"instructedAmount":{"currency":"EUR","amount":"12.00"}}',
      },
    ],
  });
  assert.equal(p.request.clientIdAliasUsed, true);
  assert.equal(p.request.sessionId, "sess-42");
  assert.deepEqual(p.notCarried, ["issue_time"], "Authlete records its own issue time");
  const spaced = map({ ...row, audience: "https://a.example/ https://b.example/" }) as Payload;
  assert.deepEqual(spaced.request.resources, ["https://a.example/", "https://b.example/"]);
});

test("a refresh token with scopes beyond its access token's is counted as not carried", () => {
  const p = map({ ...row, refresh_scope: "openid payments offline_access" }) as Payload;
  assert.deepEqual(p.notCarried, ["issue_time", "broader_refresh_scopes"]);
});

test("an attribute that cannot be read rejects the row with its column named", () => {
  for (const [column, value] of [
    ["authorization_details", '{"type":"not-an-array"}'],
    ["authorization_details", '[{"actions":["no type"]}]'],
    ["auth_time", "yesterday-ish"],
    ["alias_used", "maybe"],
    ["audience", '["ok", 3]'],
  ] as const) {
    const r = map({ ...row, [column]: value }) as Refusal;
    assert.deepEqual([r.kind, r.reason, r.column], ["rejected", "attribute_invalid", column], value);
  }
});
