import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { Upstream } from "../../src/bridge/proxy.js";

test("an answer larger than the bridge reads whole is dropped (undefined), and the pool goes on serving the next call", async (t) => {
  // A stand-in for Authlete on loopback: /big answers 2 MiB, anything else a small JSON answer.
  const seen: (string | undefined)[] = [];
  const server = createServer((req, res) => {
    seen.push(req.headers["accept-encoding"]);
    const body = req.url === "/big" ? `{"pad":"${"x".repeat(2 << 20)}"}` : '{"action":"OK"}';
    res.writeHead(200, { "content-type": "application/json" });
    res.end(body);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  t.after(() => server.close());
  const upstream = new Upstream(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, 1, 5000);
  t.after(() => upstream.close());
  const call = (path: string) => ({
    method: "POST",
    path,
    headers: { "content-type": "application/json", "accept-encoding": "gzip" },
    body: Buffer.from("{}"),
  });

  assert.equal(await upstream.held(call("/big"), 1 << 20), undefined);
  // One connection: the call after the dropped answer must get a fresh one rather than hang on it.
  const next = await upstream.held(call("/small"), 1 << 20);
  assert.equal(next?.status, 200);
  assert.equal(next.body.toString(), '{"action":"OK"}');
  assert.equal(next.headers["content-length"], next.body.length, "the length of the body as read");
  assert.deepEqual(seen, [undefined, undefined], "asked for uncompressed: the bridge must read it");
});
