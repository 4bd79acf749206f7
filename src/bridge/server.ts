import type { IncomingMessage, ServerResponse } from "node:http";
import { pipeline } from "node:stream/promises";
import type { Logger } from "pino";
import { tokenHash } from "../shared/hash.js";
import { interceptCall, interceptedCall, type InterceptDeps, type Intercepted } from "./intercept.js";
import type { HeldAnswer } from "./proxy.js";
import type { BridgeMetrics } from "./metrics.js";

/** What the bridge's HTTP handler works with. */
export interface HandlerDeps extends InterceptDeps {
  metrics: BridgeMetrics;
  log: Logger;
  /** Authlete and the legacy server reachable (`/readyz`). */
  ready(): Promise<Record<string, string>>;
  /** Largest request body taken; a larger one is refused (413) before anything is forwarded. */
  maxBodyBytes: number;
  /** True once lazy creation is over (`--until`): said in `/readyz` and the log. */
  lazyOpen(): boolean;
}

function send(res: ServerResponse, status: number, body: unknown, type = "application/json"): void {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  res.writeHead(status, { "content-type": type, "content-length": Buffer.byteLength(text) });
  res.end(text);
}

function sendHeld(res: ServerResponse, answer: HeldAnswer): void {
  res.writeHead(answer.status, answer.headers); // their content-length is the body's
  res.end(answer.body);
}

/**
 * A request's body, up to `limit` bytes; undefined beyond, with the request paused (not destroyed: the
 * refusal still has to go out on its connection).
 */
function requestBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = (body: Buffer | undefined) => {
      req.off("data", onData).off("end", onEnd).off("error", reject);
      resolve(body);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      req.pause();
      stop(undefined);
    };
    const onEnd = () => stop(Buffer.concat(chunks));
    req.on("data", onData).on("end", onEnd).on("error", reject);
  });
}

/** A fingerprint of a token for the log: never the value. */
const fingerprint = (value: string) => `sha256:${tokenHash(value).slice(0, 8)}`;

/** The bridge's HTTP handler: its own three endpoints, the intercepted calls, and everything else passed on. */
export function bridgeHandler(deps: HandlerDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const { metrics, log } = deps;
  return (req, res) => {
    const started = performance.now();
    const method = req.method ?? "GET";
    const path = req.url ?? "/";
    if (method === "GET" && path === "/healthz") return send(res, 200, { status: "alive" });
    if (method === "GET" && path === "/metrics") {
      void metrics.registry.metrics().then((text) => send(res, 200, text, metrics.registry.contentType));
      return;
    }
    if (method === "GET" && path === "/readyz") {
      void deps.ready().then((checks) => {
        const ok = Object.values(checks).every((c) => c === "ok");
        send(res, ok ? 200 : 503, { ready: ok, lazy: deps.lazyOpen() ? "open" : "over", checks });
      });
      return;
    }
    const route = interceptedCall(method, path) ?? "other";
    metrics.inFlight.inc();
    const done = (status: number, extra: Record<string, unknown> = {}) => {
      metrics.inFlight.dec();
      metrics.calls.inc({ route, status });
      const seconds = (performance.now() - started) / 1000;
      metrics.seconds.observe({ route }, seconds);
      // A plain pass-through is the bulk of the traffic: logged at debug; what the bridge did, at info.
      const level = Object.keys(extra).length > 0 || status >= 500 ? "info" : "debug";
      log[level]({ route, method, status, ms: Math.round(seconds * 1000), ...extra }, "call");
    };
    void answer(req, res, route, deps).then(
      (extra) => done(res.statusCode, extra),
      (error: unknown) => {
        // Authlete unreachable, a reset mid-answer: the caller gets a 502, the log the error's name only.
        if (!res.headersSent) send(res, 502, { error: "authlete_unreachable" });
        else res.destroy();
        done(502, { error: (error as Error).name });
      },
    );
  };
}

async function answer(
  req: IncomingMessage,
  res: ServerResponse,
  route: Intercepted | "other",
  deps: HandlerDeps,
): Promise<Record<string, unknown>> {
  const declared = Number(req.headers["content-length"] ?? 0);
  const body = declared > deps.maxBodyBytes ? undefined : await requestBody(req, deps.maxBodyBytes);
  if (body === undefined) {
    // The rest is never read: the refusal goes out, then the connection closes.
    res.setHeader("connection", "close");
    send(res, 413, { error: "request_too_large", limit: deps.maxBodyBytes });
    res.once("finish", () => req.destroy());
    return {};
  }
  const call = { method: req.method ?? "GET", path: req.url ?? "/", headers: req.headers, body };
  if (route === "other") {
    const passed = await deps.upstream.forward(call);
    res.writeHead(passed.status, passed.headers);
    // Streamed with backpressure: a large answer is never held whole.
    await pipeline(passed.body, res);
    return {};
  }
  const { answer, outcome, presented, pair } = await interceptCall(route, call, deps);
  if (!answer) send(res, 502, { error: "authlete_answer_too_large" });
  else sendHeld(res, answer);
  if (pair) {
    deps.metrics.tombstones.inc();
    return { tombstone: "client_subject" };
  }
  if (!outcome || !presented) return {};
  const kind = outcome === "tombstoned" ? outcome : outcome.kind;
  const token_type = presented.hint;
  if (outcome === "tombstoned") deps.metrics.tombstones.inc();
  else {
    deps.metrics.lazy.inc({ outcome: kind, token_type });
    if (outcome.kind === "inactive" && outcome.cached) deps.metrics.negativeHits.inc();
  }
  const reason = outcome !== "tombstoned" && "fate" in outcome ? outcome.fate.reason : undefined;
  return { lazy: kind, token_type, token: fingerprint(presented.value), ...(reason ? { reason } : {}) };
}
