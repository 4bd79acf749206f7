import { AuthleteCore } from "@authlete/typescript-sdk/core.js";
import { HTTPClient, type Fetcher } from "@authlete/typescript-sdk/lib/http.js";
import { setMaxListeners } from "node:events";
import { Agent, request as undiciRequest } from "undici";

/** What reads Authlete's clock off every answer's Date header: the AuthleteClock, or a writer thread's relay. */
export interface DateObserver {
  hostNow(): number;
  /** `call` is the request's `callHeader`, when it had one. */
  observeDate(header: string | null | undefined, sentAt: number, receivedAt: number, call?: string): void;
}

/**
 * A header that names a call inside this process, so a writer thread can hand each answer's Date header
 * back with its call. The fetcher takes it off: it never leaves the process.
 */
export const callHeader = "x-authlete-migrate-call";

export interface ConnectionSettings {
  baseUrl: string;
  serviceId: string;
  bearer: string;
  /** Sockets kept alive to the service; match the writer's concurrency. */
  connections: number;
  /** Deadline of one HTTP attempt; the SDK's own timeoutMs spans all retries, so it is not used. */
  attemptTimeoutMs: number;
  /** Learns Authlete's clock from every answer's Date header. */
  clock?: DateObserver;
}

export interface AuthleteConnection {
  core: AuthleteCore;
  serviceId: string;
  /** What it was opened with, so writer threads can open their own (in memory only: it holds the bearer). */
  settings: ConnectionSettings;
  /** Aborts every call on the wire (they fail as aborted); later calls fail at once. */
  abandon(): void;
  close(): Promise<void>;
}

/**
 * A fetcher over undici's `request` and a keep-alive Agent. The SDK's default (global fetch) opens a
 * socket per concurrent call and spends most of its CPU in web streams; this keeps the SDK's contract
 * (a global Response) while the wire work goes through undici's fast path. Its deadline is undici's own
 * (connect, headers and body timeouts: no timer or controller per call), and one controller abandons
 * every call at once.
 */
function keepAliveFetcher(
  agent: Agent,
  attemptTimeoutMs: number,
  abandoned: AbortSignal,
  clock: DateObserver | undefined,
): Fetcher {
  return async (input, init) => {
    const request = input instanceof Request ? input : new Request(input, init);
    const body = request.body === null ? undefined : await request.text();
    if (abandoned.aborted) throw abandoned.reason;
    try {
      const sentAt = clock?.hostNow();
      const headers = Object.fromEntries(request.headers);
      const call = headers[callHeader];
      delete headers[callHeader];
      const response = await undiciRequest(request.url, {
        method: request.method as "GET",
        headers,
        body,
        dispatcher: agent,
        signal: abandoned,
        headersTimeout: attemptTimeoutMs,
        bodyTimeout: attemptTimeoutMs,
      });
      if (clock && sentAt !== undefined) {
        const date = response.headers.date;
        clock.observeDate(Array.isArray(date) ? date[0] : date, sentAt, clock.hostNow(), call);
      }
      const text = await response.body.text();
      // The Response builds its Headers from the record once (a Headers built here was copied again).
      const answerHeaders: Record<string, string> = {};
      for (const [name, value] of Object.entries(response.headers)) {
        if (value !== undefined) answerHeaders[name] = Array.isArray(value) ? value.join(", ") : value;
      }
      return answer(response.statusCode, answerHeaders, text);
    } catch (error) {
      if (abandoned.aborted) throw abandoned.reason;
      const code = (error as { code?: string }).code;
      if (
        code === "UND_ERR_HEADERS_TIMEOUT" ||
        code === "UND_ERR_BODY_TIMEOUT" ||
        code === "UND_ERR_CONNECT_TIMEOUT"
      )
        throw new DOMException("attempt timed out", "TimeoutError");
      // The SDK recognises connection failures by fetch's TypeError("fetch failed"); keep the cause.
      throw new TypeError("fetch failed", { cause: error });
    }
  };
}

/**
 * A Response for an answer already read. The SDK reads the JSON answers of the calls made here with
 * `text()`/`json()`, so they answer from the text instead of a body stream (a stream a call, with its
 * transfer set-up, was a tenth of a writer thread's time on Node 20).
 */
function answer(status: number, headers: Record<string, string>, text: string): Response {
  const noBody = status === 204 || status === 304;
  const response = new Response(null, { status, headers });
  if (noBody) return response;
  Object.defineProperties(response, {
    text: { value: () => Promise.resolve(text) },
    json: { value: () => Promise.resolve().then(() => JSON.parse(text) as unknown) },
  });
  return response;
}

/**
 * The real SDK over a keep-alive undici Agent. The SDK's own retries stay off: the writer decides
 * retries itself, because a retried create that already landed must be resolved by introspection.
 */
export function connectAuthlete(settings: ConnectionSettings): AuthleteConnection {
  const agent = new Agent({
    connections: settings.connections,
    keepAliveTimeout: 30_000,
    connect: { timeout: settings.attemptTimeoutMs },
  });
  // One controller for every call: aborting it abandons those on the wire and refuses later ones. (Kept
  // here for the connection's life: a per-request signal on Node 20 can lose its abort to the GC.)
  const abandonment = new AbortController();
  setMaxListeners(0, abandonment.signal);
  let abandoned = false;
  let closed: Promise<void> | undefined;
  const core = new AuthleteCore({
    bearer: settings.bearer,
    serverURL: settings.baseUrl,
    httpClient: new HTTPClient({
      fetcher: keepAliveFetcher(agent, settings.attemptTimeoutMs, abandonment.signal, settings.clock),
    }),
    retryConfig: { strategy: "none" },
    // No debugLogger: with one, the SDK clones and parses every request and response body. The CLI
    // removes AUTHLETE_DEBUG (which would log the bearer and token values) before any SDK is built.
  });
  return {
    core,
    serviceId: settings.serviceId,
    settings,
    abandon() {
      abandoned = true;
      abandonment.abort(new DOMException("abandoned", "AbortError"));
    },
    // After abandon(), destroy the sockets rather than wait for answers nobody reads. Once only: the
    // writer and its owner may both close it.
    close: () => (closed ??= abandoned ? agent.destroy() : agent.close()),
  };
}
