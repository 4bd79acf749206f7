// The stops by signal during a live run (split from stops-and-faults.test.ts: one file ran a minute alone).
import assert from "node:assert/strict";
import { test, type TestContext } from "node:test";
import type { RunSummary } from "../../src/run/index.js";
import { tokenHash } from "../../src/shared/hash.js";
import { runCli, startCli } from "../helpers/cli.js";
import { liveSetup } from "../helpers/dumps.js";
import { authleteEnv, withEmulator } from "../helpers/emulator.js";
import { ledgerStatus } from "../helpers/ledger.js";
import { until } from "../helpers/wait.js";

/**
 * A live run of `rows` rows against an emulator whose every answer takes `latencyMs`, returned once four
 * creates are on the wire (after the service check's reads and the first create, made alone to measure
 * Authlete's clock).
 */
async function runWithCreatesInFlight(t: TestContext, latencyMs: number, rows: number, graceMs: number) {
  const { emulator } = await withEmulator(t, { faults: { latencyMs } });
  const setup = liveSetup(t, rows);
  const run = startCli(
    setup.args(["--concurrency", "4", "--grace-ms", String(graceMs)]),
    authleteEnv(emulator),
  );
  await until(
    () => (emulator.store.stats().calls["auth/token/create"] ?? 0) >= 4,
    "creates in flight",
    30_000,
  );
  return { emulator, run, ...setup };
}

test("in-flight calls get the grace period after SIGINT; those still running are abandoned as pending and resolved next run", async (t) => {
  const { emulator, dump, ledger, args, run } = await runWithCreatesInFlight(t, 1500, 20, 300);
  run.child.kill("SIGINT");
  const stopped = await run.result;
  assert.equal(stopped.code, 3);
  const summary = JSON.parse(stopped.stdout) as Required<RunSummary>;
  assert.equal(summary.status, "interrupted");
  // Calls 1.5 s long were on the wire; with a 300 ms grace period they are abandoned, not waited for.
  assert.ok(summary.pending >= 1, "abandoned calls are left pending");
  assert.match(stopped.stderr + stopped.stdout, /Rerun|rerun/);
  assert.ok(ledgerStatus(ledger).states.pending >= 1);

  emulator.setFaults({ latencyMs: 0 }); // the rerun need not be slow
  const rerun = await runCli(args(["--concurrency", "8"]), authleteEnv(emulator));
  assert.equal(rerun.code, 0, rerun.stderr);
  const { creates, tokens } = emulator.store.stats();
  assert.equal(tokens, dump.length);
  for (const row of dump) assert.equal(creates[tokenHash(row.token)], 1);
});

test("a second SIGINT stops at once; the next run resolves what was pending", async (t) => {
  const { emulator, dump, ledger, args, run } = await runWithCreatesInFlight(t, 2000, 10, 30_000);
  let stderr = "";
  run.child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  run.child.kill("SIGINT");
  await until(() => stderr.includes("finishing in-flight requests"), "the first SIGINT to be taken");
  run.child.kill("SIGINT");
  const stopped = await run.result;
  assert.equal(stopped.code, 3);
  assert.match(stopped.stderr, /stopping now/);
  // The calls it had on the wire (2 s each) were not waited for: their entries are still pending.
  assert.ok(ledgerStatus(ledger).states.pending >= 1, "the second SIGINT does not wait for in-flight calls");
  const received = () => emulator.store.stats().calls["auth/token/create"] ?? 0;
  await until(() => emulator.store.stats().tokens === received(), "the emulator to finish what it received");
  emulator.setFaults({ latencyMs: 0 }); // the rerun need not be slow
  const rerun = await runCli(args(), authleteEnv(emulator));
  assert.equal(rerun.code, 0, rerun.stderr);
  assert.equal(emulator.store.stats().tokens, dump.length);
  assert.ok(Object.values(emulator.store.stats().creates).every((n) => n === 1));
});
