import type { IncomingHttpHeaders, OutgoingHttpHeaders } from "node:http";
import type { Readable } from "node:stream";
import { Pool } from "undici";

/** Headers that belong to one connection, not to the request: never passed on (RFC 9110 §7.6.1). */
const hopByHop = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "te",
  "trailer",
  "upgrade",
  "host",
  "content-length",
]);

/** The headers passed on: all but the hop-by-hop ones (and `dropped`, lower-case, when named). */
function passed(
  headers: IncomingHttpHeaders | Record<string, string | string[] | undefined>,
  dropped?: string,
) {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (value !== undefined && !hopByHop.has(lower) && lower !== dropped) out[name] = value;
  }
  return out;
}

/** A call as the caller made it: what is forwarded unchanged. */
export interface Call {
  method: string;
  /** The path and query, as received. */
  path: string;
  headers: IncomingHttpHeaders;
  /** The body read whole (bounded), or a stream passed through as it comes. */
  body: Buffer | Readable | undefined;
}

/** An answer read whole, to look into and send on (its headers carry its length). */
export interface HeldAnswer {
  status: number;
  headers: OutgoingHttpHeaders;
  body: Buffer;
}

/** Authlete's answer to a forwarded call. */
export interface Answer {
  status: number;
  headers: OutgoingHttpHeaders;
  body: Readable;
}

/** Authlete behind the bridge: one keep-alive pool to `AUTHLETE_BASE_URL` (its path prefix kept). */
export class Upstream {
  private readonly pool: Pool;
  private readonly prefix: string;

  constructor(baseUrl: string, connections: number, timeoutMs: number) {
    const url = new URL(baseUrl);
    this.pool = new Pool(url.origin, {
      connections,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      connect: { timeout: timeoutMs },
    });
    this.prefix = url.pathname.replace(/\/$/, "");
  }

  /** Forwards a call: same method, path, headers (the caller's own Authorization) and body. */
  async forward(call: Call): Promise<Answer> {
    const answer = await this.pool.request({
      method: call.method as "GET",
      path: this.prefix + call.path,
      headers: passed(call.headers),
      body: call.body,
    });
    return { status: answer.statusCode, headers: passed(answer.headers), body: answer.body };
  }

  /**
   * Forwards a call and reads its answer whole, up to `limit` bytes (undefined beyond: the rest is
   * dropped) — asked for without compression, as the bridge must read it. Through undici's dispatch, not
   * `forward`'s stream: the intercepted calls are most of the bridge's traffic, and a stream per answer
   * cost more of its CPU than the answer's bytes.
   */
  held(call: Call & { body: Buffer | undefined }, limit: number): Promise<HeldAnswer | undefined> {
    return new Promise((resolve, reject) => {
      let status = 0;
      let headers: OutgoingHttpHeaders = {};
      let size = 0;
      const chunks: Buffer[] = [];
      this.pool.dispatch(
        {
          method: call.method as "GET",
          path: this.prefix + call.path,
          // Asked for as it is: a compressed answer would read as no answer.
          headers: passed(call.headers, "accept-encoding"),
          body: call.body,
        },
        {
          // Its presence marks the handler as undici's current API (without it, the deprecated one).
          onRequestStart() {},
          onResponseStart(_, statusCode, answerHeaders) {
            status = statusCode;
            headers = passed(answerHeaders);
          },
          onResponseData(controller, chunk) {
            size += chunk.length;
            if (size <= limit) return void chunks.push(chunk);
            resolve(undefined);
            controller.abort(new Error("answer too large"));
          },
          onResponseEnd() {
            const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
            resolve({ status, headers: { ...headers, "content-length": body.length }, body });
          },
          onResponseError: (_, error) => reject(error),
        },
      );
    });
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
