import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { test, type TestContext } from "node:test";
import { generateAssertionKeyPair } from "../../src/line/keygen.js";
import { fetchValidKeyIds } from "../../src/line/issuer-client.js";
import { MigrateError } from "../../src/shared/errors.js";

/** A loopback server answering the key-ID list from a script of statuses; it records what it was asked. */
async function scriptedIssuer(t: TestContext, statuses: number[]) {
  const asked: string[] = [];
  const server = createServer((req, res) => {
    asked.push(req.url ?? "");
    const status = statuses[asked.length - 1] ?? 200;
    if (status === 200) return res.writeHead(200).end(JSON.stringify({ kids: ["k1", "k2"] }));
    res
      .writeHead(status, { "retry-after": "0" })
      .end(JSON.stringify({ error: "busy", error_description: "try later" }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, asked };
}

const key = async () => ({
  channelId: "1657000001",
  kid: "kid-1",
  privateJwk: (await generateAssertionKeyPair()).privateJwk,
});

test("the key-ID list is retried on 429 and 5xx (Retry-After honoured) and then answered", async (t) => {
  const issuer = await scriptedIssuer(t, [429, 503, 200]);
  assert.deepEqual(await fetchValidKeyIds(issuer, await key()), ["k1", "k2"]);
  assert.equal(issuer.asked.length, 3);
  assert.ok(issuer.asked.every((u) => u.startsWith("/oauth2/v2.1/tokens/kid?client_assertion_type=")));
});

test("a refusal is not retried, and a LINE that keeps failing stops after four attempts", async (t) => {
  const refusing = await scriptedIssuer(t, [400]);
  await assert.rejects(fetchValidKeyIds(refusing, await key()), (e: unknown) => {
    assert.ok(e instanceof MigrateError && e.code === "issuer_failed" && e.exitCode === 2);
    assert.match(
      e.message,
      /channel 1657000001: \/oauth2\/v2\.1\/tokens\/kid answered 400 \(busy: try later\)/,
    );
    assert.doesNotMatch(e.message, /client_assertion=/, "the assertion is never in a message");
    return true;
  });
  assert.equal(refusing.asked.length, 1);
  const failing = await scriptedIssuer(t, [500, 500, 500, 500, 500]);
  await assert.rejects(fetchValidKeyIds(failing, await key()), /answered 500/);
  assert.equal(failing.asked.length, 4);
});
