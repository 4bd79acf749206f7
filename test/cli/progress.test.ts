import assert from "node:assert/strict";
import { test } from "node:test";
import { createProgressView, etaSeconds } from "../../src/cli/progress.js";
import type { Progress } from "../../src/run/index.js";

const progress = (p: Partial<Progress>): Progress => ({
  rows: 0,
  created: 0,
  skipped: 0,
  rejected: 0,
  failed: 0,
  inFlight: 0,
  elapsedMs: 0,
  ...p,
});

test("the ETA follows rows settled, not rows read: reading far ahead does not make it 0", () => {
  // All 1,000 rows read, 200 settled in 10 s: 800 left at 20/s.
  assert.equal(
    etaSeconds(progress({ rows: 1000, total: 1000, created: 150, skipped: 50, elapsedMs: 10_000 })),
    40,
  );
  assert.equal(
    etaSeconds(progress({ rows: 1000, total: 1000, elapsedMs: 10_000 })),
    undefined,
    "no pace yet",
  );
  assert.equal(etaSeconds(progress({ rows: 10, created: 10, elapsedMs: 1000 })), undefined, "no total");
});

test("without a terminal a plain line comes every 5 s (none for a short run), with the ETA and the calls on the wire", () => {
  let written = "";
  const stream = { isTTY: false, write: (s: string) => (written += s) } as unknown as NodeJS.WriteStream;
  let now = 0;
  const view = createProgressView(stream, false, () => now);
  view.update(progress({ rows: 1000, total: 1000, created: 100, elapsedMs: 1_000 }));
  now = 5_000;
  view.update(progress({ rows: 1000, total: 1000, created: 200, inFlight: 7, elapsedMs: 10_000 }));
  now = 9_000;
  view.update(progress({ rows: 1000, total: 1000, created: 300, elapsedMs: 14_000 }));
  now = 10_000;
  view.update(progress({ rows: 1000, total: 1000, created: 400, elapsedMs: 15_000 }));
  assert.deepEqual(written.trimEnd().split("\n"), [
    "progress: 200/1000 rows done 20 rows/s ETA 40s read=1000 created=200 skipped=0 rejected=0 failed=0 in-flight=7",
    "progress: 400/1000 rows done 27 rows/s ETA 23s read=1000 created=400 skipped=0 rejected=0 failed=0 in-flight=0",
  ]);
});
