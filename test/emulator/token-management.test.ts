import assert from "node:assert/strict";
import { test } from "node:test";
import { Authlete } from "@authlete/typescript-sdk";
import { tokenManagementCreate } from "@authlete/typescript-sdk/funcs/tokenManagementCreate.js";
import { tokenManagementDelete } from "@authlete/typescript-sdk/funcs/tokenManagementDelete.js";
import { tokenManagementList } from "@authlete/typescript-sdk/funcs/tokenManagementList.js";
import { tokenManagementRevoke } from "@authlete/typescript-sdk/funcs/tokenManagementRevoke.js";
import { tokenManagementUpdate } from "@authlete/typescript-sdk/funcs/tokenManagementUpdate.js";
import { AuthleteError, ResultError } from "@authlete/typescript-sdk/models/errors";
import { tokenHash } from "../../src/shared/hash.js";
import type { AuthleteConnection } from "../../src/write/authlete-client.js";
import { mobileApp, serviceId, webApp, withEmulator } from "../helpers/emulator.js";

async function seedToken(
  authlete: AuthleteConnection,
  accessToken: string,
  subject = "alice",
  clientId = webApp,
) {
  const result = await tokenManagementCreate(authlete.core, {
    serviceId,
    tokenCreateRequest: { grantType: "AUTHORIZATION_CODE", clientId, subject, accessToken },
  });
  assert.ok(result.ok);
}

test("delete takes the token value or its hash, answers 204, and 404 for an unknown token", async (t) => {
  const { emulator, authlete } = await withEmulator(t);
  await seedToken(authlete, "del-by-value");
  await seedToken(authlete, "del-by-hash");
  const byValue = await tokenManagementDelete(authlete.core, {
    serviceId,
    accessTokenIdentifier: "del-by-value",
  });
  assert.ok(byValue.ok);
  const byHash = await tokenManagementDelete(authlete.core, {
    serviceId,
    accessTokenIdentifier: tokenHash("del-by-hash"),
  });
  assert.ok(byHash.ok);
  assert.equal(emulator.store.stats().tokens, 0);
  const unknown = await tokenManagementDelete(authlete.core, { serviceId, accessTokenIdentifier: "nope" });
  assert.equal(unknown.ok, false);
  if (!unknown.ok) assert.equal((unknown.error as AuthleteError).statusCode, 404);
});

test("revoke prefers the access token identifier, then the refresh token, then client and subject", async (t) => {
  const { emulator, authlete } = await withEmulator(t);
  await seedToken(authlete, "r1", "alice");
  await seedToken(authlete, "r2", "alice");
  await seedToken(authlete, "r3", "bob");
  const one = await tokenManagementRevoke(authlete.core, {
    serviceId,
    tokenRevokeRequest: { accessTokenIdentifier: "r1", clientIdentifier: String(webApp), subject: "alice" },
  });
  assert.ok(one.ok);
  assert.deepEqual([one.value.resultCode, one.value.count], ["A312001", 1]);
  assert.ok(emulator.store.byAccessHash(tokenHash("r2")), "only the named token is revoked");

  const refreshId = emulator.store.byAccessHash(tokenHash("r3"))!.refreshHash!;
  const byRefresh = await tokenManagementRevoke(authlete.core, {
    serviceId,
    tokenRevokeRequest: { refreshTokenIdentifier: refreshId },
  });
  assert.ok(byRefresh.ok && byRefresh.value.count === 1);

  const bySubject = await tokenManagementRevoke(authlete.core, {
    serviceId,
    tokenRevokeRequest: { clientIdentifier: "web-app", subject: "alice" },
  });
  assert.ok(bySubject.ok && bySubject.value.count === 1);

  const none = await tokenManagementRevoke(authlete.core, { serviceId, tokenRevokeRequest: {} });
  assert.equal(none.ok, false);
  if (!none.ok) assert.equal((none.error as ResultError).statusCode, 400);
});

test("update changes expiry, scopes and properties, and says NOT_FOUND for an unknown token", async (t) => {
  const { emulator, authlete } = await withEmulator(t);
  await seedToken(authlete, "upd");
  const at = Date.now() + 60_000;
  const result = await tokenManagementUpdate(authlete.core, {
    serviceId,
    tokenUpdateRequest: {
      accessToken: tokenHash("upd"),
      accessTokenExpiresAt: at,
      scopes: ["email"],
      properties: [{ key: "k", value: "v", hidden: false }],
    },
  });
  assert.ok(result.ok && result.value.action === "OK" && result.value.resultCode === "A135001");
  const stored = emulator.store.byAccessHash(tokenHash("upd"))!;
  assert.deepEqual([stored.accessExpiresAt, stored.scopes, stored.properties.length], [at, ["email"], 1]);
  const missing = await tokenManagementUpdate(authlete.core, {
    serviceId,
    tokenUpdateRequest: { accessToken: "missing" },
  });
  assert.ok(missing.ok && missing.value.action === "NOT_FOUND");
});

test("the token list returns at most 20 tokens a page, with hashes and never values", async (t) => {
  const { authlete } = await withEmulator(t);
  for (let i = 0; i < 25; i++) await seedToken(authlete, `list-${i}`, "carol");
  await seedToken(authlete, "other-client", "carol", mobileApp);
  const first = await tokenManagementList(authlete.core, {
    serviceId,
    clientIdentifier: "web-app",
    start: 0,
    end: 100,
  });
  assert.ok(first.ok);
  assert.equal(first.value.accessTokens?.length, 20);
  assert.equal(first.value.totalCount, 25);
  assert.equal(first.value.accessTokens?.[0]?.accessTokenHash, tokenHash("list-0"));
  assert.ok(!JSON.stringify(first.value).includes("list-0"));
  const second = await tokenManagementList(authlete.core, {
    serviceId,
    clientIdentifier: "web-app",
    start: 20,
  });
  assert.ok(second.ok && second.value.accessTokens?.length === 5);
});

test("a missing or wrong bearer is answered 401", async (t) => {
  const { emulator } = await withEmulator(t);
  const anonymous = await fetch(`${emulator.baseUrl}/api/${serviceId}/service/get`);
  assert.equal(anonymous.status, 401);
  assert.equal(((await anonymous.json()) as { resultCode: string }).resultCode, "A001202");
  const wrong = new Authlete({ bearer: "wrong", serverURL: emulator.baseUrl });
  await assert.rejects(wrong.service.get({ serviceId }), (error: unknown) => {
    assert.ok(error instanceof ResultError);
    assert.equal(error.statusCode, 401);
    return true;
  });
});
