import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { introspectAtLegacy } from "../../src/legacy/index.js";

const secret = "legacy-client-secret-77";
const token = "LegacyAccessTokenValue0001";

test("the legacy introspection client never shows the token or the client secret, and stops reading a huge answer", async (t) => {
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => (body += d.toString()));
    req.on("end", () => {
      if (req.url === "/echo") {
        // A server that echoes what it got: the form (the token) and the Basic header (the secret).
        const basic = Buffer.from((req.headers.authorization ?? "").slice(6), "base64").toString();
        res.writeHead(401).end(`bad request: ${body} from ${basic}`);
      } else if (req.url === "/huge") {
        res.writeHead(200, { "content-type": "application/json" });
        const chunk = "x".repeat(1 << 16);
        for (let i = 0; i < 64; i++) res.write(chunk); // 4 MiB
        res.end();
      } else res.writeHead(302, { location: "http://127.0.0.1:1/" }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const ask = (path: string) =>
    introspectAtLegacy(
      { introspectionUrl: `${base}${path}`, clientId: "dot-web", clientSecret: secret, timeoutMs: 5000 },
      token,
    );

  const echoed = await ask("/echo");
  assert.ok("error" in echoed);
  assert.match(echoed.error, /answered 401: bad request: token=\[the token\]/);
  assert.ok(!echoed.error.includes(secret) && !echoed.error.includes(token), echoed.error);
  assert.match(echoed.error, /\[the client secret\]/);

  assert.deepEqual(await ask("/huge"), {
    error: "the legacy introspection endpoint answered more than 65536 bytes",
  });
  // A redirect is not followed: the secret would go with it.
  const redirected = await ask("/moved");
  assert.ok("error" in redirected && /answered 302/.test(redirected.error));
});
