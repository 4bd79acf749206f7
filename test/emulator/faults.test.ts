import assert from "node:assert/strict";
import { test } from "node:test";
import { until } from "../helpers/wait.js";
import { introspectionProcess } from "@authlete/typescript-sdk/funcs/introspectionProcess.js";
import { tokenManagementCreate } from "@authlete/typescript-sdk/funcs/tokenManagementCreate.js";
import {
  AuthleteError,
  ConnectionError,
  RequestTimeoutError,
  ResultError,
} from "@authlete/typescript-sdk/models/errors";
import type { FaultOptions } from "../../src/emulator/index.js";
import type { AuthleteConnection } from "../../src/write/authlete-client.js";
import { serviceId, webApp, withEmulator } from "../helpers/emulator.js";

function create(authlete: AuthleteConnection, accessToken: string) {
  return tokenManagementCreate(authlete.core, {
    serviceId,
    tokenCreateRequest: { grantType: "AUTHORIZATION_CODE", clientId: webApp, subject: "alice", accessToken },
  });
}

async function failure(authlete: AuthleteConnection, accessToken: string): Promise<Error> {
  const result = await create(authlete, accessToken);
  assert.equal(result.ok, false, "the fault should have failed the call");
  if (result.ok) throw new Error("unreachable");
  return result.error;
}

async function faulty(
  t: Parameters<typeof withEmulator>[0],
  faults: Partial<FaultOptions>,
  timeout?: number,
) {
  return withEmulator(t, { faults }, timeout);
}

test("latency and jitter delay every answer", async (t) => {
  const { authlete } = await faulty(t, { latencyMs: 60, jitterMs: 20 });
  const started = performance.now();
  assert.ok((await create(authlete, "slow-1")).ok);
  const elapsed = performance.now() - started;
  assert.ok(elapsed >= 55, `answered after ${elapsed} ms`);
});

test("the rate limit answers 429 with an integer Retry-After once the bucket is empty", async (t) => {
  const { emulator, authlete } = await faulty(t, { rateLimit: 1, rateLimitBurst: 1 });
  assert.ok((await create(authlete, "rl-1")).ok);
  const error = await failure(authlete, "rl-2");
  assert.ok(error instanceof AuthleteError);
  assert.equal(error.statusCode, 429);
  assert.match(error.headers.get("retry-after") ?? "", /^[1-9][0-9]*$/);
  assert.equal(emulator.store.stats().tokens, 1, "a rate-limited create is not processed");
});

test("the rate limit variants: no header, a plain-text body, and 503 instead of 429", async (t) => {
  const cases = [
    { variant: "no-header", status: 429, retryAfter: null, type: /json/ },
    { variant: "text-body", status: 429, retryAfter: /^\d+$/, type: /text\/plain/ },
    { variant: "503", status: 503, retryAfter: /^\d+$/, type: /json/ },
  ] as const;
  for (const c of cases) {
    const { authlete } = await faulty(t, { rateLimit: 1, rateLimitBurst: 1, rateLimitVariant: c.variant });
    await create(authlete, `v-${c.variant}-1`);
    const error = await failure(authlete, `v-${c.variant}-2`);
    assert.ok(error instanceof AuthleteError, c.variant);
    assert.equal(error.statusCode, c.status, c.variant);
    assert.match(error.contentType, c.type, c.variant);
    const header = error.headers.get("retry-after");
    if (c.retryAfter === null) assert.equal(header, null);
    else assert.match(header ?? "", c.retryAfter);
  }
});

test("random server errors answer 500, 502 or 503 without processing", async (t) => {
  const { emulator, authlete } = await faulty(t, { errorRate: 1, seed: 7 });
  const statuses = new Set<number>();
  for (let i = 0; i < 30; i++) {
    const error = await failure(authlete, `err-${i}`);
    assert.ok(error instanceof AuthleteError);
    if (error.statusCode === 500)
      assert.ok(error instanceof ResultError, "500 with a JSON body is a ResultError");
    statuses.add(error.statusCode);
  }
  assert.deepEqual([...statuses].sort(), [500, 502, 503]);
  assert.equal(emulator.store.stats().tokens, 0);
});

test("a connection reset surfaces as the SDK's ConnectionError and nothing is stored", async (t) => {
  const { emulator, authlete } = await faulty(t, { resetRate: 1 });
  const error = await failure(authlete, "reset-1");
  assert.ok(error instanceof ConnectionError, error.name);
  assert.equal(emulator.store.stats().tokens, 0);
});

test("a lost response looks like a connection error to the client although the token was created", async (t) => {
  const { emulator, authlete } = await faulty(t, { lostResponseRate: 1 });
  const error = await failure(authlete, "lost-1");
  assert.ok(error instanceof ConnectionError, error.name);
  const seen = await introspectionProcess(authlete.core, {
    serviceId,
    introspectionRequest: { token: "lost-1" },
  });
  assert.ok(seen.ok && seen.value.action === "OK", "introspection is a read and is not lost");
  assert.equal(emulator.store.stats().creates[Object.keys(emulator.store.stats().creates)[0]!], 1);
});

test("a slow answer trips the per-attempt timeout as a RequestTimeoutError", async (t) => {
  // undici keeps a request's deadline to about a second (its coarse timers): the answer comes 6 s later,
  // so a loaded machine cannot let it arrive first.
  const { emulator, authlete } = await faulty(t, { slowRate: 1, slowMs: 6000 }, 100);
  const error = await failure(authlete, "slow-timeout");
  assert.ok(error instanceof RequestTimeoutError, error.name);
  // The server still finishes the create: the outcome is in doubt.
  await until(() => emulator.store.stats().tokens === 1, "the emulator to finish the slow create", 20_000);
});

test("the same fault seed replays the same faults", async (t) => {
  const outcomes: string[][] = [];
  for (let run = 0; run < 2; run++) {
    const { authlete } = await faulty(t, { errorRate: 0.5, seed: 42 });
    const seen: string[] = [];
    for (let i = 0; i < 20; i++) seen.push((await create(authlete, `seeded-${run}-${i}`)).ok ? "ok" : "fail");
    outcomes.push(seen);
  }
  assert.deepEqual(outcomes[0], outcomes[1]);
  assert.ok(outcomes[0]!.includes("ok") && outcomes[0]!.includes("fail"));
});
