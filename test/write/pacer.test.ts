import assert from "node:assert/strict";
import { test } from "node:test";
import { Pacer } from "../../src/write/pacer.js";
import { ServiceHealth } from "../../src/write/health.js";
import { VirtualClock } from "../helpers/virtual-clock.js";

/** When each of `n` calls was let through, on the pacer's own clock. */
async function releases(pacer: Pacer, clock: VirtualClock, n: number): Promise<number[]> {
  const at: number[] = [];
  for (let i = 0; i < n; i++) {
    assert.ok(await pacer.acquire());
    at.push(clock.now());
  }
  return at;
}

/** The most calls released in any window of `ms`. */
function busiest(at: readonly number[], ms: number): number {
  let most = 0;
  for (let i = 0, j = 0; i < at.length; i++) {
    while (at[i]! - at[j]! >= ms) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

test("the pacer holds its rate in every one-second window, with bursts of at most 20 ms of calls", async () => {
  for (const rate of [50, 200, 1000]) {
    const clock = new VirtualClock();
    const at = await releases(new Pacer(rate, clock), clock, rate * 5);
    assert.ok(
      busiest(at, 1000) <= rate + Math.max(1, rate / 50),
      `${busiest(at, 1000)} calls in a second at ${rate}/s`,
    );
    const span = at.at(-1)! - at[0]!;
    assert.ok(
      span >= ((rate * 5 - Math.max(1, rate / 50)) / rate) * 1000 - 1,
      `${rate * 5} calls in ${span} ms`,
    );
  }
});

test("a pause holds every call until it ends, the longest pause wins, and a stopped pacer lets nothing through", async () => {
  const clock = new VirtualClock();
  const pacer = new Pacer(100, clock);
  await releases(pacer, clock, 3);
  const pausedAt = clock.now();
  pacer.pause(2000);
  pacer.pause(500);
  const [next] = await releases(pacer, clock, 1);
  assert.ok(next! >= pausedAt + 2000, `released ${next! - pausedAt} ms after a 2 s pause`);
  pacer.stop();
  assert.equal(await pacer.acquire(), false);
});

test("AIMD: a 429 takes the rate to 70 %, calm brings back 10 % of the target per second, never past it", async () => {
  const clock = new VirtualClock();
  const pacer = new Pacer(100, clock);
  pacer.slowDown();
  assert.equal(pacer.currentRate, 70);
  clock.t += 1000;
  pacer.speedUp();
  assert.equal(pacer.currentRate, 80);
  clock.t += 10_000;
  pacer.speedUp();
  assert.equal(pacer.currentRate, 100);
});

test("the breaker opens after its threshold of failures (pausing every call, longer each time) and gives up after a failing stretch", async () => {
  const clock = new VirtualClock();
  const pacer = new Pacer(1000, clock);
  const health = new ServiceHealth(pacer, 3, 30_000, 8000);
  const pauseAfter = async (failures: number) => {
    for (let i = 0; i < failures; i++) assert.equal(health.failure("HTTP 503"), undefined);
    const from = clock.now();
    await pacer.acquire();
    return clock.now() - from;
  };
  assert.ok((await pauseAfter(2)) < 5, "below the threshold: no pause");
  assert.ok((await pauseAfter(1)) >= 1000, "opened once: 1 s");
  assert.ok((await pauseAfter(3)) >= 2000, "opened twice: 2 s");
  assert.equal(health.openings, 2);
  health.success();
  clock.t += 29_000;
  assert.equal(health.failure("HTTP 503"), undefined, "29 s since the last success");
  clock.t += 2000;
  const fatal = health.failure("HTTP 503");
  assert.equal(fatal?.code, "service_unreachable");
  assert.match(fatal.message, /has not answered successfully for 31 s \(last: HTTP 503\)/);
});
