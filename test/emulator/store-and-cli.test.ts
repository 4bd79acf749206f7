import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { test } from "node:test";
import { tokenManagementCreate } from "@authlete/typescript-sdk/funcs/tokenManagementCreate.js";
import { startEmulator } from "../../src/emulator/index.js";
import { tokenHash } from "../../src/shared/hash.js";
import { connectAuthlete } from "../../src/write/authlete-client.js";
import { bearer, defaultSeed, serviceId, webApp, withEmulator } from "../helpers/emulator.js";
import { repoFile, tempDir } from "../helpers/paths.js";

test("with a store file, tokens and create counts survive an emulator restart", async (t) => {
  const storeFile = join(tempDir(t), "emulator.db");
  const first = await startEmulator({ seed: defaultSeed(), storeFile });
  const authlete = connectAuthlete({
    baseUrl: first.baseUrl,
    serviceId,
    bearer,
    connections: 2,
    attemptTimeoutMs: 5000,
  });
  const created = await tokenManagementCreate(authlete.core, {
    serviceId,
    tokenCreateRequest: {
      grantType: "AUTHORIZATION_CODE",
      clientId: webApp,
      subject: "a",
      accessToken: "kept",
    },
  });
  assert.ok(created.ok);
  await authlete.close();
  await first.stop();

  const second = await startEmulator({ seed: defaultSeed(), storeFile });
  t.after(() => second.stop());
  assert.equal(second.store.byAccessHash(tokenHash("kept"))?.subject, "a");
  assert.equal(second.store.stats().creates[tokenHash("kept")], 1);
});

test("the inspection route reports calls, stored tokens and hashes created more than once", async (t) => {
  const { emulator, authlete } = await withEmulator(t);
  for (const accessToken of ["i-1", "i-2", "i-1"]) {
    await tokenManagementCreate(authlete.core, {
      serviceId,
      tokenCreateRequest: { grantType: "AUTHORIZATION_CODE", clientId: webApp, subject: "a", accessToken },
    });
  }
  const state = (await (await fetch(`${emulator.baseUrl}/__emulator/state`)).json()) as {
    calls: Record<string, number>;
    tokensStored: number;
    createdHashes: number;
    hashesCreatedMoreThanOnce: unknown[];
  };
  assert.equal(state.calls["auth/token/create"], 3);
  assert.equal(state.tokensStored, 2);
  assert.equal(state.createdHashes, 2);
  assert.deepEqual(state.hashesCreatedMoreThanOnce, []);
});

test("`authlete-migrate emulator` prints one JSON line on start and stops cleanly on SIGTERM", async () => {
  const child = spawn(process.execPath, [repoFile("bin/authlete-migrate.js"), "emulator", "--port", "0"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const [line] = (await once(createInterface({ input: child.stdout }), "line")) as [string];
  const info = JSON.parse(line) as { baseUrl: string; serviceId: string; bearer: string; clients: unknown[] };
  assert.match(info.baseUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.equal(info.serviceId, serviceId);
  assert.equal(info.clients.length, 3);
  const response = await fetch(`${info.baseUrl}/api/${info.serviceId}/service/get`, {
    headers: { authorization: `Bearer ${info.bearer}` },
  });
  assert.equal(response.status, 200);
  child.kill("SIGTERM");
  const [code] = (await once(child, "exit")) as [number];
  assert.equal(code, 0);
});
