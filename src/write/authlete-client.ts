import { AuthleteCore } from "@authlete/typescript-sdk/core.js";
import { HTTPClient, type Fetcher } from "@authlete/typescript-sdk/lib/http.js";
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

/** Put in the set of calls on the wire once the connection is abandoned: later calls fail at once. */
const abandonedMark = new AbortController();

/**
 * A fetcher over undici's `request` and a keep-alive Agent. The SDK's default (global fetch) opens a
 * socket per concurrent call and spends most of its CPU in web streams; this keeps the SDK's contract
 * (a global Response) while the wire work goes through undici's fast path.
 */
function keepAliveFetcher(
  agent: Agent,
  attemptTimeoutMs: number,
  onTheWire: Set<AbortController>,
  clock: DateObserver | undefined,
): Fetcher {
  return async (input, init) => {
    const request = input instanceof Request ? input : new Request(input, init);
    const body = request.body === null ? undefined : await request.text();
    // One controller per attempt, aborted when the connection abandons its calls or at its deadline.
    // (Not the Request's own signal nor AbortSignal.any: on Node 20 both can lose an abort to the GC.)
    const attempt = new AbortController();
    if (onTheWire.has(abandonedMark)) throw new DOMException("abandoned", "AbortError");
    onTheWire.add(attempt);
    const deadline = setTimeout(
      () => attempt.abort(new DOMException("attempt timed out", "TimeoutError")),
      attemptTimeoutMs,
    );
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
        signal: attempt.signal,
      });
      if (clock && sentAt !== undefined) {
        const date = response.headers.date;
        clock.observeDate(Array.isArray(date) ? date[0] : date, sentAt, clock.hostNow(), call);
      }
      const text = await response.body.text();
      const answerHeaders = new Headers();
      for (const [name, value] of Object.entries(response.headers)) {
        if (value !== undefined) answerHeaders.set(name, Array.isArray(value) ? value.join(", ") : value);
      }
      const noBody = response.statusCode === 204 || response.statusCode === 304;
      return new Response(noBody ? null : text, { status: response.statusCode, headers: answerHeaders });
    } catch (error) {
      if (attempt.signal.aborted) throw attempt.signal.reason;
      // The SDK recognises connection failures by fetch's TypeError("fetch failed"); keep the cause.
      throw new TypeError("fetch failed", { cause: error });
    } finally {
      clearTimeout(deadline);
      onTheWire.delete(attempt);
    }
  };
}

/**
 * The real SDK over a keep-alive undici Agent. The SDK's own retries stay off: the writer decides
 * retries itself, because a retried create that already landed must be resolved by introspection.
 */
export function connectAuthlete(settings: ConnectionSettings): AuthleteConnection {
  const agent = new Agent({ connections: settings.connections, keepAliveTimeout: 30_000 });
  const onTheWire = new Set<AbortController>();
  let abandoned = false;
  let closed: Promise<void> | undefined;
  const core = new AuthleteCore({
    bearer: settings.bearer,
    serverURL: settings.baseUrl,
    httpClient: new HTTPClient({
      fetcher: keepAliveFetcher(agent, settings.attemptTimeoutMs, onTheWire, settings.clock),
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
      onTheWire.add(abandonedMark);
      for (const attempt of onTheWire) attempt.abort(new DOMException("abandoned", "AbortError"));
    },
    // After abandon(), destroy the sockets rather than wait for answers nobody reads. Once only: the
    // writer and its owner may both close it.
    close: () => (closed ??= abandoned ? agent.destroy() : agent.close()),
  };
}
