import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { tokenHash } from "../shared/hash.js";
import { result, type Reply, type RouteContext } from "./context.js";
import { FaultPlan } from "./faults.js";
import { openMemoryTokenStore } from "./memory-store.js";
import { openSqliteTokenStore, type TokenStore } from "./store.js";
import { noFaults, type EmulatorSeed, type FaultOptions } from "./types.js";
import { routeApiCall } from "./router.js";
import { LineIssuer } from "./line/issuer.js";
import { routeLineCall } from "./line/routes.js";

export interface EmulatorOptions {
  seed: EmulatorSeed;
  host?: string;
  port?: number;
  /** SQLite file that keeps tokens across restarts; in memory when absent. */
  storeFile?: string;
  faults?: Partial<FaultOptions>;
  /** Authlete's hash, pluggable because the real algorithm is inferred, not documented. */
  hash?: (value: string) => string;
  /** Epoch ms the emulator's clock starts at (it then advances in real time). */
  startAt?: number;
  /** Added to the emulator's clock: Authlete's clock ahead (+) of or behind (−) the host's. */
  clockOffsetMs?: number;
  /** Sees every request arrive and every answer leave (status 0: connection dropped), for tests. */
  observe?: (event: WireEvent) => void;
}

export interface WireEvent {
  kind: "request" | "answer";
  path: string;
  status?: number;
  /** performance.now() of the emulator process. */
  at: number;
  /** The names of a request's headers (their values may hold the bearer). */
  headers?: string[];
}

export interface RunningEmulator {
  baseUrl: string;
  port: number;
  seed: EmulatorSeed;
  store: TokenStore;
  /** The emulator's clock now (ms). */
  now(): number;
  /** Moves the emulator's clock forward (tests let lifetimes pass this way instead of sleeping). */
  advanceClock(ms: number): void;
  /** Changes the faults it plays from the next request on (a test's rerun need not be slow). */
  setFaults(faults: Partial<FaultOptions>): void;
  stop(): Promise<void>;
}

const jsonType = "application/json;charset=UTF-8";

function send(res: ServerResponse, reply: Reply, headers: Record<string, string> = {}): void {
  if (reply.body === undefined) {
    res.writeHead(reply.status, headers).end();
    return;
  }
  const text = JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    "content-type": jsonType,
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function sendRateLimited(res: ServerResponse, plan: FaultPlan, retryAfter: number): void {
  const header = { "retry-after": String(retryAfter) };
  switch (plan.options.rateLimitVariant) {
    case "no-header":
      return send(res, { status: 429, body: result("A000429", "Too many requests.") });
    case "text-body":
      res.writeHead(429, { "content-type": "text/plain", ...header }).end("Too Many Requests");
      return;
    case "503":
      return send(res, { status: 503, body: result("A000503", "Service unavailable.") }, header);
    default:
      return send(res, { status: 429, body: result("A000429", "Too many requests.") }, header);
  }
}

/** Starts the emulator on loopback; resolves once it is listening. */
export async function startEmulator(options: EmulatorOptions): Promise<RunningEmulator> {
  const { seed } = options;
  const store = options.storeFile ? openSqliteTokenStore(options.storeFile) : openMemoryTokenStore();
  let offset =
    (options.startAt === undefined ? 0 : options.startAt - Date.now()) + (options.clockOffsetMs ?? 0);
  const now = () => Date.now() + offset;
  const plan = new FaultPlan({ ...noFaults, ...options.faults });
  const hash = options.hash ?? tokenHash;
  const lineIssuer = new LineIssuer(seed.lineChannels);

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    // The Date header tells the emulator's own clock, as a real server's tells its own.
    res.setHeader("date", new Date(now()).toUTCString());
    const url = new URL(req.url ?? "/", "http://emulator");
    if (url.pathname === "/__emulator/state") {
      return send(res, { status: 200, body: { ...inspect(store), faultsPlayed: plan.played } });
    }
    if (url.pathname === "/__emulator/tokens") return send(res, { status: 200, body: store.all() });
    if (url.pathname.startsWith("/oauth2/") || url.pathname.startsWith("/__emulator/line/")) {
      const request = {
        method: req.method ?? "GET",
        path: url.pathname,
        query: url.searchParams,
        contentType: req.headers["content-type"] ?? "",
        body: req.method === "GET" ? "" : await readBody(req),
      };
      const reply = await routeLineCall(lineIssuer, request, now(), hash);
      return send(
        res,
        reply ?? { status: 404, body: { error: "not_found", error_description: "no such route" } },
      );
    }
    const match = /^\/api\/([^/]+)\/(.+)$/.exec(url.pathname);
    if (!match) return send(res, { status: 404, body: result("A000404", "Unknown path.") });
    const [, serviceId = "", route = ""] = match;
    const name = routeName(route);
    store.countCall(name);
    // Read the request first: a server that got it finishes its work even if the client hangs up.
    const text = req.method === "GET" ? "" : await readBody(req);

    const decision = plan.decide(writeRoutes.has(name));
    const delay = plan.delayMs();
    // Unreferenced: an answer still on its way never keeps a process alive after the emulator stopped.
    if (delay > 0) await sleep(delay, undefined, { ref: false });
    if (decision.kind === "reset") return void req.socket.destroy();
    if (decision.kind === "rate-limited") return sendRateLimited(res, plan, decision.retryAfterSeconds);
    if (decision.kind === "error") {
      return send(res, { status: decision.status, body: result("A000500", "Emulated server error.") });
    }

    const service = seed.services.find((s) => s.serviceId === serviceId);
    const authorization = req.headers.authorization;
    if (!authorization)
      return send(res, { status: 401, body: result("A001202", "Authorization header is missing.") });
    const bearer = /^Bearer (.+)$/i.exec(authorization)?.[1];
    if (!service || !bearer || !service.bearers.includes(bearer)) {
      return send(res, { status: 401, body: result("A001203", "The access token is invalid.") });
    }
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      return send(res, { status: 400, body: result("A000201", "The request body is not valid JSON.") });
    }
    const ctx: RouteContext = { seed, store, service, hash, now };
    const reply = routeApiCall(ctx, req.method ?? "GET", route, body, url.searchParams);
    if (decision.lostResponse) return void req.socket.destroy();
    if (decision.commitThenError && reply.status < 300)
      return send(res, {
        status: decision.commitThenError,
        body: result("A000500", "Emulated server error."),
      });
    send(res, reply);
  };

  const server = createServer((req, res) => {
    const { observe } = options;
    if (observe) {
      const path = req.url ?? "/";
      observe({ kind: "request", path, at: performance.now(), headers: Object.keys(req.headers) });
      res.on("close", () =>
        observe({
          kind: "answer",
          path,
          status: res.headersSent ? res.statusCode : 0,
          at: performance.now(),
        }),
      );
    }
    handle(req, res).catch((error: unknown) => {
      send(res, { status: 500, body: result("A000001", `Emulator failure: ${(error as Error).message}`) });
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    port,
    seed,
    store,
    now,
    advanceClock(ms) {
      offset += ms;
    },
    setFaults(faults) {
      Object.assign(plan.options, faults);
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      store.close();
    },
  };
}

/** Routes whose response can be lost after the change is committed. */
const writeRoutes = new Set([
  "auth/token/create",
  "auth/token",
  "auth/token/revoke",
  "auth/token/update",
  "auth/token/delete",
]);

/** Call-count key: the route without the identifier in its path. */
function routeName(route: string): string {
  if (route.startsWith("auth/token/delete/")) return "auth/token/delete";
  if (route.startsWith("client/get/")) return "client/get";
  return route;
}

/** The inspection route's answer: call counts and the exactly-once evidence. */
function inspect(store: TokenStore) {
  const { calls, tokens, creates } = store.stats();
  const repeated = Object.entries(creates).filter(([, n]) => n > 1);
  return {
    calls,
    tokensStored: tokens,
    createdHashes: Object.keys(creates).length,
    hashesCreatedMoreThanOnce: repeated.map(([hash, n]) => ({ hash, creates: n })),
  };
}
