import assert from "node:assert/strict";
import { test } from "node:test";
import { listenAddress } from "../../src/bridge/index.js";
import type { WireEvent } from "../../src/emulator/index.js";
import { MigrateError } from "../../src/shared/errors.js";
import { tokenHash } from "../../src/shared/hash.js";
import { runCli, startCli } from "../helpers/cli.js";
import { tokenValue, writeMapping } from "../helpers/dumps.js";
import { authleteEnv, serviceId, bearer, withEmulator } from "../helpers/emulator.js";
import { legacyClient, legacyStandIn, type LegacyToken } from "../helpers/legacy-stand-in.js";
import { tempDir } from "../helpers/paths.js";
import { until } from "../helpers/wait.js";
import { startBridge } from "./helpers.js";

const live = (): [string, LegacyToken] => [
  tokenValue("at"),
  { active: true, client_id: "web", sub: "dave", scope: "openid", exp: Math.floor(Date.now() / 1000) + 3600 },
];

/** The bridge command line over a fresh mapping and ledger in `dir`. */
const bridgeArgs = (dir: string, introspection: string, clientId: string, listen: string) => [
  "bridge",
  "--mapping",
  writeMapping(dir),
  "--ledger",
  `${dir}/l.db`,
  "--legacy-introspection",
  introspection,
  "--legacy-client-id",
  clientId,
  "--listen",
  listen,
];

test("the bridge listens on loopback only, unless TLS is given or plain HTTP is chosen on purpose", async (t) => {
  assert.deepEqual(listenAddress("127.0.0.1:8080", { tls: false, insecure: false }), {
    host: "127.0.0.1",
    port: 8080,
  });
  assert.deepEqual(listenAddress("[::1]:0", { tls: false, insecure: false }), { host: "::1", port: 0 });
  assert.throws(
    () => listenAddress("0.0.0.0:8080", { tls: false, insecure: false }),
    /not a loopback address/,
  );
  assert.throws(() => listenAddress("nowhere", { tls: false, insecure: false }), MigrateError);
  assert.deepEqual(listenAddress("0.0.0.0:8080", { tls: true, insecure: false }).host, "0.0.0.0");
  // Through the CLI: refused before anything is opened, with exit 2.
  const dir = tempDir(t);
  const run = await runCli(bridgeArgs(dir, "http://127.0.0.1:9/introspect", "rs", "0.0.0.0:0"), {
    LEGACY_CLIENT_SECRET: "s",
    AUTHLETE_BASE_URL: "http://127.0.0.1:9",
    AUTHLETE_SERVICE_ID: "1",
    AUTHLETE_BEARER: "b",
  });
  assert.equal(run.code, 2, run.stderr);
  assert.match(run.stderr, /not a loopback address.*--tls-cert/);
});

test("an oversized body is refused (413) before anything is forwarded; a legacy server that is down leaves Authlete's own answer", async (t) => {
  const events: WireEvent[] = [];
  const { emulator } = await withEmulator(t, {
    observe: (e) => void (e.kind === "request" && events.push(e)),
  });
  const [value, facts] = live();
  const legacy = await legacyStandIn(t, new Map([[value, facts]]));
  const bridge = await startBridge(t, emulator, legacy);
  const sent = events.length;
  const big = await bridge.call("auth/introspection", { token: "x".repeat(100 * 1024) });
  assert.equal(big.status, 413);
  // The same without a declared length (chunked): refused once the limit is passed, still answered.
  const chunk = new TextEncoder().encode("x".repeat(16 * 1024));
  const chunked = await fetch(`${bridge.base}/api/${serviceId}/auth/introspection`, {
    method: "POST",
    headers: { authorization: `Bearer ${bearer}`, "content-type": "application/json" },
    body: new ReadableStream({
      start(controller) {
        for (let i = 0; i < 8; i++) controller.enqueue(chunk);
        controller.close();
      },
    }),
    duplex: "half",
  } as RequestInit);
  assert.equal(chunked.status, 413);
  assert.equal(events.length, sent, "nothing reached Authlete");

  legacy.state.down = true;
  const down = await bridge.call("auth/introspection", { token: value });
  assert.deepEqual([down.status, down.body.action], [200, "UNAUTHORIZED"]);
  assert.equal(emulator.store.byAccessHash(tokenHash(value)), undefined);
  // Back up: the next use migrates it (a failure is not remembered as "inactive").
  legacy.state.down = false;
  assert.equal((await bridge.call("auth/introspection", { token: value })).body.action, "OK");
  const metrics = await (await fetch(`${bridge.base}/metrics`)).text();
  assert.match(metrics, /bridge_lazy_total\{outcome="legacy_failed",token_type="access_token"\} 1/);
  assert.match(metrics, /bridge_lazy_total\{outcome="created",token_type="access_token"\} 1/);
  const ready = await fetch(`${bridge.base}/readyz`);
  assert.equal(ready.status, 200, await ready.text());
  // The caller (fetch) accepts gzip; an intercepted call asks Authlete for an answer the bridge can read.
  const introspections = events.filter((e) => e.path.endsWith("/auth/introspection"));
  assert.ok(introspections.length >= 2);
  for (const e of introspections) assert.ok(!e.headers?.includes("accept-encoding"), e.headers?.join(","));
});

test("Authlete failing or gone: its failure passes through (no legacy call), then a 502; readiness says so", async (t) => {
  const { emulator } = await withEmulator(t);
  const [value, facts] = live();
  const legacy = await legacyStandIn(t, new Map([[value, facts]]));
  const bridge = await startBridge(t, emulator, legacy);
  emulator.setFaults({ errorRate: 1 });
  const failing = await bridge.call("auth/introspection", { token: value });
  assert.ok(failing.status >= 500, `status ${failing.status}`);
  assert.equal(
    legacy.asked.introspections,
    0,
    "an answer that is not Authlete's verdict asks the legacy server nothing",
  );
  await emulator.stop();
  const gone = await bridge.call("auth/introspection", { token: value });
  assert.deepEqual([gone.status, gone.body.error], [502, "authlete_unreachable"]);
  const ready = await fetch(`${bridge.base}/readyz`);
  assert.equal(ready.status, 503);
});

test("SIGTERM mid-request: the call in flight is answered, then the bridge stops and its run is recorded", async (t) => {
  const { emulator } = await withEmulator(t);
  const [value, facts] = live();
  const legacy = await legacyStandIn(t, new Map([[value, facts]]));
  legacy.state.delayMs = 1500;
  const dir = tempDir(t);
  const cli = startCli(bridgeArgs(dir, legacy.introspectionUrl, legacyClient.id, "127.0.0.1:0"), {
    ...authleteEnv(emulator),
    LEGACY_CLIENT_SECRET: legacyClient.secret,
  });
  let stderr = "";
  cli.child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  await until(() => /listening on/.test(stderr), "the bridge listening", 30_000);
  const port = /listening on [^:]+:(\d+)/.exec(stderr)![1];
  const inFlight = fetch(`http://127.0.0.1:${port}/api/${serviceId}/auth/introspection`, {
    method: "POST",
    headers: { authorization: `Bearer ${bearer}`, "content-type": "application/json" },
    body: JSON.stringify({ token: value }),
  });
  await until(() => legacy.asked.introspections === 1, "the legacy server asked");
  cli.child.kill("SIGTERM");
  const answer = (await (await inFlight).json()) as { action: string };
  assert.equal(answer.action, "OK", "created and answered although the stop came meanwhile");
  const result = await cli.result;
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /"msg":"bridge stopped"/);
  await assert.rejects(fetch(`http://127.0.0.1:${port}/healthz`), "no longer listening");
});
