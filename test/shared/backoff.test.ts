import assert from "node:assert/strict";
import { test } from "node:test";
import { backoffMs } from "../../src/shared/backoff.js";

test("backoff doubles from its base up to its cap, jitters only when asked, and never undercuts Retry-After", () => {
  const rule = { baseMs: 250, capMs: 5000 };
  assert.deepEqual(
    [0, 1, 2, 3, 4, 5, 60].map((a) => backoffMs(a, rule)),
    [250, 500, 1000, 2000, 4000, 5000, 5000],
  );
  assert.equal(backoffMs(3, { ...rule, random: () => 0.5 }), 1000, "full jitter: half of 2000");
  assert.equal(backoffMs(0, rule, 7000), 7000, "a server's Retry-After wins over a shorter backoff");
  assert.equal(backoffMs(0, rule, 90_000, 30_000), 30_000, "a bound holds even against Retry-After");
});
