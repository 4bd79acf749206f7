import assert from "node:assert/strict";
import { test } from "node:test";
import type { WireEvent } from "../../src/emulator/index.js";
import { tokenHash } from "../../src/shared/hash.js";
import { AuthleteClock, createWriter, type WriterOptions } from "../../src/write/index.js";
import { withEmulator } from "../helpers/emulator.js";
import { tempDir } from "../helpers/paths.js";
import { until } from "../helpers/wait.js";
import { payloads, write, writerOptions } from "../helpers/writer.js";

const options: WriterOptions = { ...writerOptions, concurrency: 8, writers: 2, maxClockSkewMs: 600_000 };

test("writer threads make the calls: each token created once, and every answer's Date header reaches the main thread's clock", async (t) => {
  const requests: WireEvent[] = [];
  const ahead = 120_000;
  const { emulator, authlete } = await withEmulator(t, {
    clockOffsetMs: ahead,
    observe: (e) => e.kind === "request" && requests.push(e),
  });
  const clock = new AuthleteClock(() => Date.now());
  const writer = createWriter(authlete, { ...options, authleteClock: clock });
  t.after(() => writer.close());
  // A revocation's answer carries no issue time: only its Date header, read on a writer thread, tells the clock.
  assert.equal(await writer.revoke(tokenHash("never-created"), null), "not_found");
  assert.equal(clock.offset.source, "date-header");
  assert.ok(
    Math.abs(clock.offset.offsetMs - ahead) <= clock.offset.uncertaintyMs + 1000,
    "Authlete is 120 s ahead",
  );

  const sent = payloads(tempDir(t), 12);
  const outcomes = await Promise.all(sent.map((p) => writer.write(write(p))));
  assert.deepEqual(
    outcomes.map((o) => o?.state),
    sent.map(() => "created"),
  );
  const creates = emulator.store.stats().creates;
  for (const p of sent) {
    const held = emulator.store.byAccessHash(tokenHash(p.request.accessToken!));
    assert.equal(creates[tokenHash(p.request.accessToken!)], 1);
    assert.ok(held && held.accessExpiresAt! <= p.accessExpiresAt!, "never later than the legacy expiry");
  }
  assert.equal(clock.offset.source, "token-create");
  // In doubt: introspected on a thread, confirmed, not created twice.
  const again = await writer.write(write(sent[0]!, true));
  assert.deepEqual([again?.state, again?.detail], ["created", "confirmed by introspection"]);
  assert.equal(emulator.store.stats().creates[tokenHash(sent[0]!.request.accessToken!)], 1);
  // The header that pairs an answer with its call stays inside the process.
  assert.ok(requests.length >= 14);
  assert.ok(requests.every((r) => !r.headers?.includes("x-authlete-migrate-call")));
});

// A regression fails at the timeout: the answer and the attempt's deadline are both far beyond it, so only
// abandoning the call can end it.
test(
  "a stop abandons the calls on the writer threads: they end unresolved (pending), nothing more is sent",
  { timeout: 60_000 },
  async (t) => {
    const answers: WireEvent[] = [];
    const { emulator, authlete } = await withEmulator(
      t,
      { faults: { latencyMs: 600_000 }, observe: (e) => e.kind === "answer" && answers.push(e) },
      600_000,
    );
    const writer = createWriter(authlete, options);
    t.after(() => writer.close());
    const [slow, later] = payloads(tempDir(t), 2);
    const onTheWire = writer.write(write(slow!));
    await until(
      () => emulator.store.stats().calls["auth/token/create"] === 1,
      "the create to reach the emulator",
    );
    writer.stop();
    assert.equal(await onTheWire, null);
    // The writer thread hung up: the emulator saw the connection drop before it could answer.
    await until(() => answers.length === 1, "the emulator to see the create end");
    assert.equal(answers[0]!.status, 0);
    assert.equal(await writer.write(write(later!)), null);
  },
);

test("unasked, a writer makes its first calls on the main thread and starts its threads only past them", async (t) => {
  const { emulator, authlete } = await withEmulator(t);
  // The chaos knob ends a writer thread after its first call: the run stops the moment a thread has made one.
  process.env.AUTHLETE_MIGRATE_CHAOS_WRITER_EXIT_AFTER = "1";
  t.after(() => delete process.env.AUTHLETE_MIGRATE_CHAOS_WRITER_EXIT_AFTER);
  const writer = createWriter(authlete, { ...options, writers: 1, threadsAfterCalls: 20 });
  t.after(() => writer.close());
  // Enough for the thread to start many times over (it took ~210 calls here on an idle machine).
  const sent = payloads(tempDir(t), 2000);
  const first = await Promise.all(sent.slice(0, 20).map((p) => writer.write(write(p))));
  assert.deepEqual(
    first.map((o) => o?.state),
    sent.slice(0, 20).map(() => "created"),
    "the first 20 calls were made here: no thread, so none ended",
  );
  const fatal = () => writer.fatal;
  assert.equal(fatal(), undefined);
  // Past them the thread starts; calls go on here while it does, then move to it (and it dies at once).
  let made = 20;
  while (fatal() === undefined && made < sent.length) await writer.write(write(sent[made++]!));
  assert.equal(fatal()?.code, "writer_thread_failed", `a thread started and made a call (${made} calls)`);
  assert.ok(made > 21, "the calls made while the thread started went on here");
  for (const count of Object.values(emulator.store.stats().creates))
    assert.equal(count, 1, "nothing created twice");
});
