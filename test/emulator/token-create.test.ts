import assert from "node:assert/strict";
import { test } from "node:test";
import { tokenManagementCreate } from "@authlete/typescript-sdk/funcs/tokenManagementCreate.js";
import { ResultError } from "@authlete/typescript-sdk/models/errors";
import type { TokenCreateRequest } from "@authlete/typescript-sdk/models";
import { tokenHash } from "../../src/shared/hash.js";
import { billingService, defaultSeed, serviceId, webApp, withEmulator } from "../helpers/emulator.js";
import type { AuthleteConnection } from "../../src/write/authlete-client.js";

const base: TokenCreateRequest = {
  grantType: "AUTHORIZATION_CODE",
  clientId: webApp,
  subject: "alice",
  scopes: ["openid", "profile"],
};

function create(authlete: AuthleteConnection, request: Partial<TokenCreateRequest>) {
  return tokenManagementCreate(authlete.core, {
    serviceId,
    tokenCreateRequest: { ...base, ...request } as TokenCreateRequest,
  });
}

async function rejected(authlete: AuthleteConnection, request: Partial<TokenCreateRequest>) {
  const result = await create(authlete, request);
  assert.equal(result.ok, false, "the create should have been refused");
  if (result.ok) throw new Error("unreachable");
  assert.ok(result.error instanceof ResultError, `expected ResultError, got ${result.error.name}`);
  return result.error;
}

test("a create keeps the caller's token values, answers A109001 and stores only their hashes", async (t) => {
  const { emulator, authlete } = await withEmulator(t);
  const result = await create(authlete, {
    accessToken: "at-alice-1",
    refreshToken: "rt-alice-1",
    accessTokenDuration: 600,
  });
  assert.ok(result.ok);
  const body = result.value;
  assert.equal(body.resultCode, "A109001");
  assert.equal(
    body.resultMessage,
    `[A109001] An access token was created successfully: authorization_code, client = ${webApp}`,
  );
  assert.equal(body.action, "OK");
  assert.equal(body.accessToken, "at-alice-1");
  assert.equal(body.refreshToken, "rt-alice-1");
  assert.equal(body.expiresIn, 600);
  assert.equal(body.tokenType, "Bearer");
  const stored = emulator.store.byAccessHash(tokenHash("at-alice-1"));
  assert.equal(stored?.refreshHash, tokenHash("rt-alice-1"));
  assert.equal(stored?.subject, "alice");
  assert.deepEqual(stored?.scopes, ["openid", "profile"]);
  assert.ok(!JSON.stringify(emulator.store.all()).includes("at-alice-1"), "the store must not hold values");
});

test("a duplicate access token is refused with 400 BAD_REQUEST and the configured code", async (t) => {
  const seed = defaultSeed();
  seed.behaviour.duplicateResultCode = "A109999";
  const { emulator, authlete } = await withEmulator(t, { seed });
  assert.ok((await create(authlete, { accessToken: "dup-at" })).ok);
  const error = await rejected(authlete, { accessToken: "dup-at", subject: "bob" });
  assert.equal(error.statusCode, 400);
  assert.equal(error.resultCode, "A109999");
  assert.match(error.body, /"action":"BAD_REQUEST"/);
  assert.equal(emulator.store.byAccessHash(tokenHash("dup-at"))?.subject, "alice");
});

test("a duplicate refresh token is refused even with a new access token", async (t) => {
  const { authlete } = await withEmulator(t);
  assert.ok((await create(authlete, { accessToken: "at-1", refreshToken: "shared-rt" })).ok);
  const error = await rejected(authlete, { accessToken: "at-2", refreshToken: "shared-rt" });
  assert.equal(error.statusCode, 400);
  assert.equal(error.resultCode, "A109210");
});

test("an unknown client, or a client of another service, is refused with 403 FORBIDDEN", async (t) => {
  const seed = defaultSeed();
  seed.services.push({ ...seed.services[0]!, serviceId: "999", bearers: ["other"] });
  seed.clients.push({
    clientId: 777,
    serviceId: "999",
    clientSecret: "s",
    grantTypes: ["AUTHORIZATION_CODE"],
  });
  const { authlete } = await withEmulator(t, { seed });
  for (const clientId of [123456, 777]) {
    const error = await rejected(authlete, { clientId });
    assert.equal(error.statusCode, 403);
    assert.match(error.body, /"action":"FORBIDDEN"/);
  }
  seed.behaviour.foreignClientAnswer = "plain";
  const plain = await withEmulator(t, { seed });
  const error = await rejected(plain.authlete, { clientId: 777 });
  assert.equal(error.statusCode, 403);
  assert.doesNotMatch(error.body, /action/, "the answer the writer must not take for a refused bearer");
});

test("the REFRESH_TOKEN grant type is refused", async (t) => {
  const { authlete } = await withEmulator(t);
  const error = await rejected(authlete, { grantType: "REFRESH_TOKEN" });
  assert.equal(error.statusCode, 400);
});

test("a subject is required except for client credentials (ignored) and JWT bearer (optional)", async (t) => {
  const { emulator, authlete } = await withEmulator(t);
  assert.equal((await rejected(authlete, { subject: undefined })).statusCode, 400);
  const cc = await create(authlete, {
    grantType: "CLIENT_CREDENTIALS",
    clientId: billingService,
    subject: "ignored",
    accessToken: "cc-token",
  });
  assert.ok(cc.ok);
  assert.equal(emulator.store.byAccessHash(tokenHash("cc-token"))?.subject, null);
  assert.ok((await create(authlete, { grantType: "JWT_BEARER", subject: undefined })).ok);
});

test("a non-ASCII or longer than 100 characters subject is refused", async (t) => {
  const { authlete } = await withEmulator(t);
  assert.equal((await rejected(authlete, { subject: "jürgen" })).statusCode, 400);
  assert.equal((await rejected(authlete, { subject: "x".repeat(101) })).statusCode, 400);
  assert.ok((await create(authlete, { subject: "x".repeat(100) })).ok);
});

test("an unsupported scope and a negative duration are refused", async (t) => {
  const { authlete } = await withEmulator(t);
  assert.equal((await rejected(authlete, { scopes: ["openid", "admin"] })).statusCode, 400);
  assert.equal((await rejected(authlete, { accessTokenDuration: -1 })).statusCode, 400);
  assert.equal((await rejected(authlete, { refreshTokenDuration: -5 })).statusCode, 400);
});

test("a duration of 0 or none means the default: the client's extension, else the scopes', else the service's", async (t) => {
  const seed = defaultSeed();
  seed.clients[0]!.extension = { accessTokenDuration: 3600 };
  seed.services[0]!.scopeDurations = {
    "orders:read": { accessTokenDuration: 600 },
    "invoices:read": { accessTokenDuration: 900 },
  };
  const { emulator, authlete } = await withEmulator(t, { seed });
  const zero = await create(authlete, { accessToken: "d0", accessTokenDuration: 0 });
  assert.ok(zero.ok);
  assert.equal(zero.value.expiresIn, 3600);
  const other = await create(authlete, { accessToken: "d1", clientId: 26888344961665 });
  assert.ok(other.ok);
  assert.equal(other.value.expiresIn, 86400);
  const stored = emulator.store.byAccessHash(tokenHash("d1"))!;
  assert.equal(stored.refreshExpiresAt! - stored.createdAt, 2592000 * 1000);
  const scoped = await create(authlete, {
    accessToken: "d2",
    clientId: 26888344961665,
    scopes: ["invoices:read", "orders:read"],
  });
  assert.ok(scoped.ok);
  assert.equal(scoped.value.expiresIn, 600, "the shortest duration of the requested scopes");
  const extended = await create(authlete, { accessToken: "d3", scopes: ["orders:read"] });
  assert.ok(extended.ok);
  assert.equal(extended.value.expiresIn, 3600, "the client's extension overrides the scope's");
});

test("a persistent access token never expires", async (t) => {
  const { emulator, authlete } = await withEmulator(t);
  const result = await create(authlete, {
    accessToken: "forever",
    accessTokenPersistent: true,
    accessTokenDuration: 5,
  });
  assert.ok(result.ok);
  assert.equal(emulator.store.byAccessHash(tokenHash("forever"))?.accessExpiresAt, null);
});

test("a refresh token is generated unless the grant or the service rules it out", async (t) => {
  const { authlete } = await withEmulator(t);
  const code = await create(authlete, {});
  assert.ok(code.ok && typeof code.value.refreshToken === "string" && code.value.refreshToken.length >= 43);
  const cc = await create(authlete, { grantType: "CLIENT_CREDENTIALS", clientId: billingService });
  assert.ok(cc.ok && cc.value.refreshToken === undefined);
  const implicit = await create(authlete, { grantType: "IMPLICIT" });
  assert.ok(implicit.ok && implicit.value.refreshToken === undefined);

  const seed = defaultSeed();
  seed.services[0]!.supportedGrantTypes = ["AUTHORIZATION_CODE"];
  const noRefresh = await withEmulator(t, { seed });
  const plain = await create(noRefresh.authlete, {});
  assert.ok(plain.ok && plain.value.refreshToken === undefined);
  const dropped = await create(noRefresh.authlete, { refreshToken: "would-be-lost" });
  assert.ok(dropped.ok && dropped.value.refreshToken === undefined, "dropped with a 200, as documented");

  const strict = defaultSeed();
  strict.services[0]!.supportedGrantTypes = ["AUTHORIZATION_CODE"];
  strict.behaviour.unsupportedRefreshToken = "reject";
  const refusing = await withEmulator(t, { seed: strict });
  assert.equal((await rejected(refusing.authlete, { refreshToken: "would-be-lost" })).statusCode, 400);
});

test("reserved property keys are dropped and an oversized property set is refused", async (t) => {
  const { emulator, authlete } = await withEmulator(t);
  const result = await create(authlete, {
    accessToken: "with-props",
    properties: [
      { key: "tenant", value: "acme", hidden: false },
      { key: "access_token", value: "shadow", hidden: false },
      { key: "legacy_id", value: "42", hidden: true },
    ],
  });
  assert.ok(result.ok);
  assert.deepEqual(
    emulator.store.byAccessHash(tokenHash("with-props"))?.properties.map((p) => p.key),
    ["tenant", "legacy_id"],
  );
  const huge = [{ key: "blob", value: "x".repeat(70_000), hidden: true }];
  assert.equal((await rejected(authlete, { properties: huge })).statusCode, 400);
});
