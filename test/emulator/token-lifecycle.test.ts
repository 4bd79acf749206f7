import assert from "node:assert/strict";
import { test } from "node:test";
import { clientGet } from "@authlete/typescript-sdk/funcs/clientGet.js";
import { introspectionProcess } from "@authlete/typescript-sdk/funcs/introspectionProcess.js";
import { serviceGet } from "@authlete/typescript-sdk/funcs/serviceGet.js";
import { tokenManagementCreate } from "@authlete/typescript-sdk/funcs/tokenManagementCreate.js";
import { tokenProcess } from "@authlete/typescript-sdk/funcs/tokenProcess.js";
import { tokenManagementUpdate } from "@authlete/typescript-sdk/funcs/tokenManagementUpdate.js";
import { tokenHash } from "../../src/shared/hash.js";
import type { AuthleteConnection } from "../../src/write/authlete-client.js";
import { defaultSeed, serviceId, webApp, withEmulator } from "../helpers/emulator.js";

async function seedToken(authlete: AuthleteConnection, accessToken: string, refreshToken?: string) {
  const result = await tokenManagementCreate(authlete.core, {
    serviceId,
    tokenCreateRequest: {
      grantType: "AUTHORIZATION_CODE",
      clientId: webApp,
      subject: "alice",
      scopes: ["openid", "orders:read"],
      accessToken,
      ...(refreshToken ? { refreshToken } : {}),
    },
  });
  assert.ok(result.ok);
}

async function introspect(authlete: AuthleteConnection, token: string, scopes?: string[]) {
  const result = await introspectionProcess(authlete.core, {
    serviceId,
    introspectionRequest: { token, ...(scopes ? { scopes } : {}) },
  });
  assert.ok(result.ok, "introspection answers HTTP 200 in every case");
  return result.value;
}

async function expire(authlete: AuthleteConnection, accessToken: string) {
  const result = await tokenManagementUpdate(authlete.core, {
    serviceId,
    tokenUpdateRequest: { accessToken, accessTokenExpiresAt: Date.now() - 1_000 },
  });
  assert.ok(result.ok && result.value.action === "OK");
}

test("introspection tells valid, unknown, expired-but-refreshable and insufficient-scope tokens apart", async (t) => {
  const { authlete } = await withEmulator(t);
  await seedToken(authlete, "valid-at", "valid-rt");
  const valid = await introspect(authlete, "valid-at");
  assert.deepEqual(
    [valid.action, valid.resultCode, valid.existent, valid.usable],
    ["OK", "A056001", true, true],
  );
  assert.equal(valid.subject, "alice");
  assert.equal(valid.clientId, webApp);
  assert.equal(valid.refreshable, true);

  const unknown = await introspect(authlete, "no-such-token");
  assert.deepEqual(
    [unknown.action, unknown.resultCode, unknown.existent],
    ["UNAUTHORIZED", "A057302", false],
  );
  assert.match(unknown.responseContent ?? "", /^Bearer error="invalid_token"/);

  const narrow = await introspect(authlete, "valid-at", ["orders:write"]);
  assert.deepEqual([narrow.action, narrow.resultCode, narrow.sufficient], ["FORBIDDEN", "A064302", false]);

  await expire(authlete, "valid-at");
  const expired = await introspect(authlete, "valid-at");
  assert.deepEqual(
    [expired.action, expired.resultCode, expired.existent, expired.usable, expired.refreshable],
    ["UNAUTHORIZED", "A065301", true, false, true],
  );
});

test("a refresh rotates the refresh token and invalidates the old access token", async (t) => {
  const { emulator, authlete } = await withEmulator(t);
  await seedToken(authlete, "old-at", "old-rt");
  const result = await tokenProcess(authlete.core, {
    serviceId,
    tokenRequest: {
      parameters: "grant_type=refresh_token&refresh_token=old-rt",
      clientId: String(webApp),
      clientSecret: "web-app-secret",
    },
  });
  assert.ok(result.ok);
  assert.equal(result.value.action, "OK");
  assert.notEqual(result.value.refreshToken, "old-rt");
  assert.equal((await introspect(authlete, "old-at")).existent, false);
  assert.equal((await introspect(authlete, result.value.accessToken!)).action, "OK");
  assert.equal(emulator.store.byRefreshHash(tokenHash("old-rt")), undefined);

  const reuse = await tokenProcess(authlete.core, {
    serviceId,
    tokenRequest: { parameters: "grant_type=refresh_token&refresh_token=old-rt", clientId: String(webApp) },
  });
  assert.ok(reuse.ok);
  assert.equal(reuse.value.action, "BAD_REQUEST");
  assert.match(reuse.value.responseContent ?? "", /invalid_grant/);

  const badClient = await tokenProcess(authlete.core, {
    serviceId,
    tokenRequest: {
      parameters: `grant_type=refresh_token&refresh_token=${result.value.refreshToken}`,
      clientId: String(webApp),
      clientSecret: "wrong",
    },
  });
  assert.ok(badClient.ok);
  assert.equal(badClient.value.action, "INVALID_CLIENT");
});

test("with refreshTokenKept the refresh token survives a refresh", async (t) => {
  const seed = defaultSeed();
  seed.services[0]!.refreshTokenKept = true;
  const { authlete } = await withEmulator(t, { seed });
  await seedToken(authlete, "k-at", "k-rt");
  const result = await tokenProcess(authlete.core, {
    serviceId,
    tokenRequest: { parameters: "grant_type=refresh_token&refresh_token=k-rt", clientId: String(webApp) },
  });
  assert.ok(result.ok && result.value.action === "OK");
  assert.equal(result.value.refreshToken, "k-rt");
});

test("client and service configuration are readable through the SDK", async (t) => {
  const { authlete } = await withEmulator(t);
  const client = await clientGet(authlete.core, { serviceId, clientId: "web-app" });
  assert.ok(client.ok);
  assert.equal(client.value.clientId, webApp);
  assert.ok(client.value.grantTypes?.includes("REFRESH_TOKEN"));
  const missing = await clientGet(authlete.core, { serviceId, clientId: "nobody" });
  assert.equal(missing.ok, false);
  const service = await serviceGet(authlete.core, { serviceId });
  assert.ok(service.ok);
  assert.ok(service.value.supportedScopes?.some((s) => s.name === "openid"));
  assert.ok(service.value.supportedGrantTypes?.includes("REFRESH_TOKEN"));
});
