import { join } from "node:path";
import { PassThrough } from "node:stream";
import type { TestContext } from "node:test";
import { runBridge, type BridgeConfig, type BridgeSummary } from "../../src/bridge/index.js";
import { loadMapping } from "../../src/map/index.js";
import type { RunningEmulator } from "../../src/emulator/index.js";
import { writeMapping } from "../helpers/dumps.js";
import { bearer, serviceId } from "../helpers/emulator.js";
import { legacyClient } from "../helpers/legacy-stand-in.js";
import { tempDir } from "../helpers/paths.js";

/** A bridge in this process in front of `emulator`, on 127.0.0.1 (a free port), stopped with the test. */
export async function startBridge(
  t: TestContext,
  emulator: RunningEmulator,
  legacy: { introspectionUrl: string; revocationUrl?: string; clientId?: string; clientSecret?: string },
  options: Partial<BridgeConfig> & { dir?: string } = {},
) {
  const dir = options.dir ?? tempDir(t);
  const stop = new AbortController();
  const logs: string[] = [];
  const logTo = new PassThrough();
  logTo.on("data", (chunk: Buffer) => logs.push(...chunk.toString().split("\n").filter(Boolean)));
  let listening!: (port: number) => void;
  const port = new Promise<number>((resolve) => (listening = resolve));
  const config: BridgeConfig = {
    mapping: loadMapping(writeMapping(dir)),
    mappingHash: "test",
    ledgerFile: join(dir, "ledger.db"),
    connection: { baseUrl: emulator.baseUrl, serviceId, bearer, connections: 8, attemptTimeoutMs: 5000 },
    legacy: { clientId: legacyClient.id, clientSecret: legacyClient.secret, timeoutMs: 5000, ...legacy },
    listen: { host: "127.0.0.1", port: 0 },
    legacyRate: 1000,
    negativeTtlMs: 600_000,
    maxBodyBytes: 64 * 1024,
    graceMs: 5000,
    writer: {
      concurrency: 4,
      rate: 1000,
      maxAttempts: 3,
      backoffBaseMs: 10,
      backoffCapMs: 100,
      giveUpAfterMs: 10_000,
      breakerThreshold: 10,
      maxClockSkewMs: 60_000,
    },
    stop: stop.signal,
    logTo,
    onListening: (address) => listening(address.port),
    ...options,
  };
  const running = runBridge(config);
  // A bridge that fails to start fails the wait too, instead of leaving it hanging.
  const base = `http://127.0.0.1:${await Promise.race([port, running.then(() => 0)])}`;
  let summary: BridgeSummary | undefined;
  const stopped = async () => {
    stop.abort();
    summary ??= await running;
    return summary;
  };
  t.after(stopped);
  /** An Authlete API call through the bridge, as a resource server or the AS makes it. */
  const call = async (path: string, body: unknown, key = bearer) => {
    const response = await fetch(`${base}/api/${serviceId}/${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  };
  return { base, call, logs, stop: stopped, ledgerFile: config.ledgerFile, dir };
}
