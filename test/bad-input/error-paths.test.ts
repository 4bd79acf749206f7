import assert from "node:assert/strict";
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { inspect } from "node:util";
import { tokenManagementCreate } from "@authlete/typescript-sdk/funcs/tokenManagementCreate.js";
import { describeFailure, toCallFailure } from "../../src/write/call-failure.js";
import { runCli } from "../helpers/cli.js";
import { liveRows, writeDump, writeMapping } from "../helpers/dumps.js";
import { bearer, serviceId, webApp, withEmulator } from "../helpers/emulator.js";
import { tempDir } from "../helpers/paths.js";

const secretToken = "SecretAccessTokenValue0123456789abcdefghijk";

test("SDK errors are converted at the boundary: no request body, token or header survives", async (t) => {
  const failures: unknown[] = [];
  const create = (authlete: Parameters<typeof tokenManagementCreate>[0]) =>
    tokenManagementCreate(authlete, {
      serviceId,
      tokenCreateRequest: {
        grantType: "AUTHORIZATION_CODE",
        clientId: webApp,
        subject: "a",
        accessToken: secretToken,
      },
    });
  const plain = await withEmulator(t);
  await create(plain.authlete.core);
  const duplicate = await create(plain.authlete.core);
  assert.equal(duplicate.ok, false);
  if (!duplicate.ok) {
    assert.ok(
      inspect(duplicate.error, { depth: 6 }).includes(bearer),
      "the SDK's own error does carry the bearer",
    );
    failures.push(duplicate.error);
  }
  for (const faults of [
    { rateLimit: 1, rateLimitBurst: 1 },
    { resetRate: 1 },
    { errorRate: 1 },
    { slowRate: 1, slowMs: 300 },
  ]) {
    const { authlete } = await withEmulator(t, { faults }, 100);
    await create(authlete.core);
    const result = await create(authlete.core);
    if (!result.ok) failures.push(result.error);
  }
  assert.ok(failures.length >= 4);
  for (const error of failures) {
    const converted = toCallFailure(error);
    for (const text of [
      inspect(converted, { depth: 10 }),
      JSON.stringify(converted),
      describeFailure(converted),
    ]) {
      assert.ok(!text.includes(secretToken), text);
      assert.ok(!text.includes(bearer), text);
    }
  }
});

test("a bearer file readable by others is warned about, and the bearer is never printed", async (t) => {
  const dir = tempDir(t);
  const { emulator } = await withEmulator(t);
  const file = join(dir, "bearer");
  writeFileSync(file, `${bearer}\n`);
  const mapping = writeMapping(dir);
  const args = (dump: string) => [
    "migrate",
    writeDump(dir, dump, liveRows(2)),
    "--mapping",
    mapping,
    "--bearer-file",
    file,
    "--base-url",
    emulator.baseUrl,
    "--service-id",
    serviceId,
  ];
  chmodSync(file, 0o644);
  const open = await runCli([...args("a.csv"), "--ledger", join(dir, "a.db")]);
  assert.equal(open.code, 0, open.stderr);
  assert.match(open.stderr, /readable by other users \(mode 644\); chmod 600 it/);
  chmodSync(file, 0o600);
  const closed = await runCli([...args("b.csv"), "--ledger", join(dir, "b.db")]);
  assert.equal(closed.code, 0, closed.stderr);
  assert.doesNotMatch(closed.stderr, /readable by other users/);
  for (const out of [open, closed]) assert.ok(!(out.stdout + out.stderr).includes(bearer));
});
