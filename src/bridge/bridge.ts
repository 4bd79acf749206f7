import { once } from "node:events";
import { createServer, type Server } from "node:http";
import { createServer as createTlsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { pino } from "pino";
import { withLedger, withRun } from "../ledger/index.js";
import { introspectAtLegacy, revokeAtLegacy, type LegacyServer } from "../legacy/index.js";
import type { Mapping } from "../map/index.js";
import { connectService, unknownUsage } from "../preflight/index.js";
import type { SettleContext } from "../settle/index.js";
import { tokenHash } from "../shared/hash.js";
import { Pacer, type ConnectionSettings, type WriterOptions } from "../write/index.js";
import { LazyMigrator } from "./lazy.js";
import { answerMapping, type Presented } from "./legacy-row.js";
import type { ListenAddress } from "./listen.js";
import { BridgeMetrics } from "./metrics.js";
import { Upstream } from "./proxy.js";
import { bridgeHandler } from "./server.js";

export interface BridgeConfig {
  mapping: Mapping;
  mappingHash: string;
  ledgerFile: string;
  connection: ConnectionSettings;
  legacy: LegacyServer & { revocationUrl?: string };
  listen: ListenAddress;
  tls?: { cert: Buffer; key: Buffer };
  /** Legacy calls a second, at most (one pacer for all). */
  legacyRate: number;
  negativeTtlMs: number;
  /** Epoch ms after which nothing is created lazily: the bridge is then a pure pass-through. */
  until?: number;
  maxBodyBytes: number;
  /** After a stop, calls in flight get this long before their connections are closed. */
  graceMs: number;
  writer: Omit<WriterOptions, "clock">;
  /** Aborting it stops the bridge gracefully (SIGTERM, SIGINT). */
  stop: AbortSignal;
  /** "debug" logs every call passed through too (default "info": what the bridge did, and failures). */
  logLevel?: "debug" | "info";
  /** Where the JSON log goes (default: standard output). */
  logTo?: NodeJS.WritableStream;
  onListening?: (address: AddressInfo) => void;
}

export interface BridgeSummary {
  runId: number;
  status: "completed";
  /** First uses of tokens Authlete did not hold, by outcome. */
  lazy: Record<string, number>;
  tombstones: number;
}

/** Readiness is asked of the servers at most this often; between, the last answer stands. */
const readyEveryMs = 5000;

/**
 * Runs the bridge until `stop`: a ledger run of its own (so a batch run on the same ledger is refused while
 * it serves, with the holder named), the service read once as a live run reads it, then every call passed
 * to Authlete and the lazy path for tokens Authlete does not hold. Returns when the last call is answered.
 */
export async function runBridge(config: BridgeConfig): Promise<BridgeSummary> {
  const log = pino(
    { base: { service: "authlete-migrate-bridge" }, level: config.logLevel ?? "info" },
    config.logTo ?? process.stdout,
  );
  const start = {
    dryRun: false,
    arguments: { command: "bridge", listen: `${config.listen.host}:${config.listen.port}` },
    sources: [],
    mappingHash: config.mappingHash,
  };
  return withLedger(config.ledgerFile, (ledger) =>
    withRun(ledger, start, async (runId) => {
      const preflight = { files: [], mapping: config.mapping, dryRun: false, connection: config.connection };
      const service = await connectService(
        { ...preflight, writer: config.writer },
        {},
        Date.now,
        unknownUsage(),
      );
      const writer = service.writer!;
      const metrics = new BridgeMetrics();
      const pacer = new Pacer(config.legacyRate);
      const upstream = new Upstream(config.connection.baseUrl, config.connection.connections, 10_000);
      const settle: SettleContext = {
        sink: ledger.liveSink({ runId, retryRejected: false }),
        writer,
        ledger,
        runId,
        check: (result) => result,
        record: (outcome) => ledger.recordOutcomes(runId, [outcome]),
        // Not the bridge's stop: a lookup under way when it comes is finished within the grace period.
        stopping: () => writer.fatal !== undefined,
      };
      const lazy = new LazyMigrator({
        legacy: config.legacy,
        pacer,
        mapping: answerMapping(config.mapping),
        settle,
        negativeTtlMs: config.negativeTtlMs,
        until: config.until,
        now: Date.now,
      });
      const revoked = async (presented: Presented) => {
        ledger.recordTombstone(runId, tokenHash(presented.value));
        const { revocationUrl } = config.legacy;
        if (!revocationUrl) return;
        const sent = await revokeAtLegacy(
          { ...config.legacy, revocationUrl },
          presented.value,
          presented.hint,
        );
        metrics.legacyRevocations.inc({ result: "error" in sent ? "error" : "revoked" });
      };
      const handler = bridgeHandler({
        upstream,
        migrate: (presented) => lazy.migrate(presented),
        revoked,
        revokedPair: (clientId, subject) => ledger.recordSubjectTombstone(runId, clientId, subject),
        answerLimit: 1 << 20,
        metrics,
        log,
        ready: readiness(config, upstream),
        maxBodyBytes: config.maxBodyBytes,
        lazyOpen: () => lazy.open,
      });
      const server = config.tls ? createTlsServer(config.tls, handler) : createServer(handler);
      try {
        server.listen(config.listen.port, config.listen.host);
        await once(server, "listening");
        const address = server.address() as AddressInfo;
        metrics.lazyOpen.set(lazy.open ? 1 : 0);
        log.info({ address: `${address.address}:${address.port}`, until: config.until }, "bridge listening");
        config.onListening?.(address);
        if (!config.stop.aborted) await once(config.stop, "abort");
        // Lookups waiting for their turn end at once: their callers get Authlete's own answer.
        pacer.stop();
        await drain(server, metrics, config.graceMs);
        log.info({}, "bridge stopped");
      } finally {
        server.close();
        await upstream.close();
        await writer.close();
      }
      const lazyCounts: Record<string, number> = {};
      for (const v of (await metrics.lazy.get()).values)
        lazyCounts[String(v.labels.outcome)] = (lazyCounts[String(v.labels.outcome)] ?? 0) + v.value;
      const tombstones = (await metrics.tombstones.get()).values[0]?.value ?? 0;
      const summary: BridgeSummary = { runId, status: "completed", lazy: lazyCounts, tombstones };
      return { status: "completed", summary };
    }),
  );
}

/** Stops accepting, lets the calls in flight finish within the grace period, then closes what is left. */
async function drain(server: Server, metrics: BridgeMetrics, graceMs: number): Promise<void> {
  server.close();
  server.closeIdleConnections();
  const deadline = Date.now() + graceMs;
  while ((await metrics.inFlight.get()).values[0]!.value > 0 && Date.now() < deadline) await sleep(20);
  server.closeAllConnections();
}

/** `/readyz`: Authlete answers the bridge's own read, and the legacy server answers an introspection. */
function readiness(config: BridgeConfig, upstream: Upstream): () => Promise<Record<string, string>> {
  let last: { at: number; checks: Promise<Record<string, string>> } | undefined;
  const check = async (): Promise<Record<string, string>> => {
    const { serviceId, bearer } = config.connection;
    const authlete = await upstream
      .forward({
        method: "GET",
        path: `/api/${serviceId}/service/get`,
        headers: { authorization: `Bearer ${bearer}` },
        body: undefined,
      })
      .then(async (a) => {
        a.body.resume();
        return a.status === 200 ? "ok" : `answered ${a.status}`;
      })
      .catch((error: unknown) => `unreachable (${(error as Error).name})`);
    // A token nobody holds: any RFC 7662 answer shows the endpoint serves and takes the bridge's client.
    const facts = await introspectAtLegacy(config.legacy, `readiness-probe-${Date.now()}`);
    const legacy = "error" in facts ? "unreachable or refusing the client" : "ok";
    return { authlete, legacy };
  };
  return () => {
    if (!last || Date.now() - last.at > readyEveryMs) last = { at: Date.now(), checks: check() };
    return last.checks;
  };
}
