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

function passed(headers: IncomingHttpHeaders | Record<string, string | string[] | undefined>) {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers))
    if (value !== undefined && !hopByHop.has(name.toLowerCase())) out[name] = value;
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

  close(): Promise<void> {
    return this.pool.close();
  }
}

/** An answer's body read whole, up to `limit` bytes (undefined beyond: the rest is dropped). */
export async function readBounded(body: Readable, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      body.destroy();
      return undefined;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
