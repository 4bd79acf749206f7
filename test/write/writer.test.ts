import assert from "node:assert/strict";
import { test } from "node:test";
import { tokenHash } from "../../src/shared/hash.js";
import { connectAuthlete, createWriter } from "../../src/write/index.js";
import { serviceId, withEmulator } from "../helpers/emulator.js";
import { tempDir } from "../helpers/paths.js";
import { payloads, write, writerOptions } from "../helpers/writer.js";

const options = writerOptions;

test("the writer creates each token once, in process, and reports what Authlete stored: never later than the legacy expiry", async (t) => {
  const { emulator, authlete } = await withEmulator(t);
  const writer = createWriter(authlete, options);
  const sent = payloads(tempDir(t), 6);
  const outcomes = await Promise.all(sent.map((p) => writer.write(write(p))));
  assert.deepEqual(
    outcomes.map((o) => o?.state),
    sent.map(() => "created"),
  );
  for (const [i, p] of sent.entries()) {
    const held = emulator.store.byAccessHash(tokenHash(p.request.accessToken!));
    assert.ok(held, "stored");
    assert.equal(outcomes[i]!.sentHash, tokenHash(p.request.accessToken!));
    assert.ok(held.accessExpiresAt! <= p.accessExpiresAt!, "never later than the legacy expiry");
  }
  // In doubt (an earlier run may have sent it): the writer looks first and does not create twice.
  const again = await writer.write(write(sent[0]!, true));
  assert.deepEqual([again?.state, again?.detail], ["created", "confirmed by introspection"]);
  assert.equal(emulator.store.stats().creates[tokenHash(sent[0]!.request.accessToken!)], 1);
  assert.equal(writer.stats.creates, 6);
});

test("the writer waits out 429s (Retry-After) and still creates every token once", async (t) => {
  const { emulator, authlete } = await withEmulator(t, { faults: { rateLimit: 50, rateLimitBurst: 2 } });
  const writer = createWriter(authlete, options);
  const sent = payloads(tempDir(t), 12);
  const outcomes = await Promise.all(sent.map((p) => writer.write(write(p))));
  assert.ok(outcomes.every((o) => o?.state === "created"));
  assert.ok(writer.stats.rateLimited > 0, "the emulator answered 429");
  const creates = emulator.store.stats().creates;
  assert.ok(sent.every((p) => creates[tokenHash(p.request.accessToken!)] === 1));
});

test("a refused bearer stops the writer with a coded error and sends nothing more", async (t) => {
  const { emulator } = await withEmulator(t);
  const authlete = connectAuthlete({
    baseUrl: emulator.baseUrl,
    serviceId,
    bearer: "not-the-bearer",
    connections: 2,
    attemptTimeoutMs: 5000,
  });
  const writer = createWriter(authlete, options);
  const [first, second] = payloads(tempDir(t), 2);
  await writer.write(write(first!));
  assert.equal(writer.fatal?.code, "authentication_failed");
  assert.equal(await writer.write(write(second!)), null, "nothing is sent after a fatal error");
  assert.equal(emulator.store.stats().tokens, 0);
  await writer.close();
});
