import assert from "node:assert/strict";
import { test } from "node:test";
import { chaosLine, runChaos } from "../../scripts/lib/chaos.js";
import { tempDir } from "../helpers/paths.js";

test("a reduced chaos run: SIGKILLs, an emulator restart, faults and Authlete's clock 120 s ahead leave every token created exactly once, never later than its legacy expiry", async (t) => {
  const report = await runChaos({
    rows: 2500,
    kills: 3,
    seed: 77,
    dir: tempDir(t),
    concurrency: 16,
    rate: 600,
    emulatorRateLimit: 300,
    clockOffsetMs: 120_000,
    log: () => {},
  });
  t.diagnostic(chaosLine(report));
  assert.deepEqual(report.violations, []);
  assert.equal(report.emulatorRestarts, 1);
  assert.ok(report.kills >= 2, `the migration was killed mid-run (${report.kills} times)`);
  assert.equal(report.stored, report.expected);
  assert.deepEqual(
    [
      report.duplicatesCreated,
      report.lost,
      report.unexpected,
      report.forbiddenCreated,
      report.mismatches,
      report.lateExpiries,
    ],
    [0, 0, 0, 0, 0, 0],
  );
  assert.ok(
    (report.faults.error ?? 0) > 0 &&
      (report.faults.lostResponse ?? 0) > 0 &&
      (report.faults.reset ?? 0) > 0 &&
      (report.faults.commitThenError ?? 0) > 0,
    JSON.stringify(report.faults),
  );
});
