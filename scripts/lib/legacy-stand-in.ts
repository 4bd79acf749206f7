import { once } from "node:events";
import { createServer } from "node:http";
import type { Socket } from "node:net";
import { basicCredentials } from "../../src/shared/outside.js";

/** What the legacy server knows of a token: RFC 7662 members (absent: it never issued it). */
export interface LegacyToken {
  active: boolean;
  client_id?: string;
  sub?: string;
  scope?: string;
  /** Seconds since the epoch. */
  exp?: number;
}

export const legacyClient = { id: "bridge-rs", secret: "legacy-secret-3f9a" };

/**
 * A legacy authorization server's RFC 7662 introspection and RFC 7009 revocation endpoints over an
 * in-memory table, on 127.0.0.1; it counts what it was asked. `delayMs` holds
 * every answer back (a slow legacy server).
 */
export async function startLegacyStandIn(tokens: Map<string, LegacyToken>) {
  const asked = { introspections: 0, revocations: 0, hints: [] as string[] };
  const state = { delayMs: 0, down: false };
  const sockets = new Set<Socket>();
  const auth = `Basic ${basicCredentials(legacyClient.id, legacyClient.secret)}`;
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      const form = new URLSearchParams(body);
      const reply = (status: number, answer: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(answer));
      };
      if (state.down) return reply(503, { error: "temporarily_unavailable" });
      if (req.headers.authorization !== auth) return reply(401, { error: "invalid_client" });
      const token = form.get("token") ?? "";
      // Counted on arrival, before any delay: a test can act while the answer is held back.
      if (req.url === "/introspect") {
        asked.introspections++;
        asked.hints.push(form.get("token_type_hint") ?? "");
      }
      if (req.url === "/revoke") asked.revocations++;
      setTimeout(() => {
        if (req.url === "/introspect") {
          const known = tokens.get(token);
          return reply(200, known && known.active ? known : { active: false });
        }
        if (req.url === "/revoke") {
          const known = tokens.get(token);
          if (known) known.active = false;
          return reply(200, {});
        }
        reply(404, {});
      }, state.delayMs);
    });
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const stop = async () => {
    for (const s of sockets) s.destroy();
    server.close();
    await once(server, "close");
  };
  const { port } = server.address() as { port: number };
  const base = `http://127.0.0.1:${port}`;
  return { asked, state, introspectionUrl: `${base}/introspect`, revocationUrl: `${base}/revoke`, stop };
}
