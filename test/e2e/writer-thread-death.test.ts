import assert from "node:assert/strict";
import { test } from "node:test";
import type { RunSummary } from "../../src/run/index.js";
import { tokenHash } from "../../src/shared/hash.js";
import { runCli } from "../helpers/cli.js";
import { liveSetup } from "../helpers/dumps.js";
import { authleteEnv, withEmulator } from "../helpers/emulator.js";
import { ledgerStatus } from "../helpers/ledger.js";

test("a writer thread that dies mid-run: the run stops and says so, its tokens in flight stay pending, and the next run resolves them — nothing is sent twice", async (t) => {
  // Slow answers: the thread dies with calls of its own still on the wire.
  const { emulator } = await withEmulator(t, { faults: { latencyMs: 200 } });
  const { dump, ledger, args } = liveSetup(t, 40);
  const live = args(["--writers", "2", "--concurrency", "8"]);
  const crashed = await runCli(live, {
    ...authleteEnv(emulator),
    AUTHLETE_MIGRATE_CHAOS_WRITER_EXIT_AFTER: "6",
  });
  assert.equal(crashed.code, 3, crashed.stderr);
  const first = JSON.parse(crashed.stdout) as Required<RunSummary>;
  assert.equal(first.status, "aborted");
  assert.equal(first.error.code, "writer_thread_failed");
  assert.match(first.error.message, /a writer thread stopped: exit code 70/);
  assert.ok(first.created < dump.length, "stopped early");
  assert.equal(first.created + first.skipped + first.rejected + first.failed + first.pending, first.rows);
  const left = ledgerStatus(ledger);
  assert.ok(left.states.pending + left.states.failed > 0, "the dead thread's tokens are left to resolve");

  const resumed = await runCli(live, authleteEnv(emulator));
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.equal(ledgerStatus(ledger).states.created, dump.length);
  const creates = emulator.store.stats().creates;
  for (const row of dump) assert.equal(creates[tokenHash(row.token)], 1, "created exactly once");
});
