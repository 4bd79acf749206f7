import { AuthleteCore } from "@authlete/typescript-sdk/core.js";
import { HTTPClient, type Fetcher } from "@authlete/typescript-sdk/lib/http.js";
import { Agent, request as undiciRequest } from "undici";

export interface ConnectionSettings {
  baseUrl: string;
  serviceId: string;
  bearer: string;
  /** Sockets kept alive to the service; match the writer's concurrency. */
  connections: number;
  /** Deadline of one HTTP attempt; the SDK's own timeoutMs spans all retries, so it is not used. */
  attemptTimeoutMs: number;
}

export interface AuthleteConnection {
  core: AuthleteCore;
  serviceId: string;
  close(): Promise<void>;
}

const silentLogger = { group() {}, groupEnd() {}, log() {} };

function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
}

/**
 * A fetcher over undici's `request` and a keep-alive Agent. The SDK's default (global fetch) opens a
 * socket per concurrent call and spends most of its CPU in web streams; this keeps the SDK's contract
 * (a global Response) while the wire work goes through undici's fast path.
 */
function keepAliveFetcher(agent: Agent, attemptTimeoutMs: number): Fetcher {
  return async (input, init) => {
    const request = input instanceof Request ? input : new Request(input, init);
    const body = request.body === null ? undefined : await request.text();
    try {
      const response = await undiciRequest(request.url, {
        method: request.method as "GET",
        headers: Object.fromEntries(request.headers),
        body,
        dispatcher: agent,
        signal: AbortSignal.timeout(attemptTimeoutMs),
      });
      const text = await response.body.text();
      const headers = new Headers();
      for (const [name, value] of Object.entries(response.headers)) {
        if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
      }
      const noBody = response.statusCode === 204 || response.statusCode === 304;
      return new Response(noBody ? null : text, { status: response.statusCode, headers });
    } catch (error) {
      if (isTimeout(error)) throw error;
      // The SDK recognises connection failures by fetch's TypeError("fetch failed"); keep the cause.
      throw new TypeError("fetch failed", { cause: error });
    }
  };
}

/**
 * The real SDK over a keep-alive undici Agent. The SDK's own retries stay off: the writer decides
 * retries itself, because a retried create that already landed must be resolved by introspection.
 */
export function connectAuthlete(settings: ConnectionSettings): AuthleteConnection {
  const agent = new Agent({ connections: settings.connections, keepAliveTimeout: 30_000 });
  const core = new AuthleteCore({
    bearer: settings.bearer,
    serverURL: settings.baseUrl,
    httpClient: new HTTPClient({ fetcher: keepAliveFetcher(agent, settings.attemptTimeoutMs) }),
    retryConfig: { strategy: "none" },
    // The SDK logs bearer and bodies (token values) when AUTHLETE_DEBUG is set; a silent logger wins over it.
    debugLogger: silentLogger,
  });
  return { core, serviceId: settings.serviceId, close: () => agent.close() };
}
