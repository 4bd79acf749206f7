import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import type { RunSummary } from "../../src/run/index.js";
import { runCli, startCli } from "../helpers/cli.js";
import { liveRows, writeDump, writeMapping } from "../helpers/dumps.js";
import { authleteEnv, serviceId, withEmulator } from "../helpers/emulator.js";
import { ledgerStatus } from "../helpers/ledger.js";
import { tempDir } from "../helpers/paths.js";
import { until } from "../helpers/wait.js";

test("after the cutover, a token an earlier run may have sent and Authlete does not hold is never sent again", async (t) => {
  const { emulator } = await withEmulator(t, { faults: { latencyMs: 1000 } });
  const dir = tempDir(t);
  const rows = liveRows(40);
  const ledger = join(dir, "l.db");
  const env = authleteEnv(emulator);
  const args = ["migrate", writeDump(dir, "t.csv", rows), "--mapping", writeMapping(dir), "--ledger", ledger];
  const creates = () => emulator.store.stats().calls["auth/token/create"] ?? 0;

  // A run killed with creates on the wire leaves pending entries: sent or not, nobody knows.
  const killed = startCli([...args, "--concurrency", "2"], env);
  await until(() => creates() >= 2, "creates on the wire", 30_000);
  killed.child.kill("SIGKILL");
  await killed.result;
  await until(() => emulator.store.stats().tokens === creates(), "the emulator to finish what it received");
  // Outcomes already recorded before the kill are created; the rest of the admitted batch is pending.
  const { pending, created } = ledgerStatus(ledger).states;
  assert.ok(pending > creates() - created, "some pending entries were sent, others never were");
  // After the switch, clients revoke or rotate at Authlete: the tokens the killed run sent are gone.
  emulator.store.deleteWhere(serviceId, null, null);

  const refused = await runCli(["cutover", "--ledger", ledger], env);
  assert.equal(refused.code, 2);
  assert.match(
    refused.stderr,
    new RegExp(`${pending} pending and 0 failed entries remain.*\\[cutover_refused\\]`),
  );
  const forced = await runCli(["cutover", "--ledger", ledger, "--force", "--json"], env);
  assert.equal(forced.code, 0, forced.stderr);
  assert.deepEqual(
    { ...(JSON.parse(forced.stdout) as object), at: 0 },
    { at: 0, forced: true, pending, failed: 0 },
  );

  const createsBefore = creates();
  const hashesBefore = emulator.store.stats().creates;
  emulator.setFaults({ latencyMs: 0 }); // the rerun need not be slow
  const rerun = await runCli([...args, "--json"], env);
  assert.equal(rerun.code, 1, rerun.stderr);
  const summary = JSON.parse(rerun.stdout) as Required<RunSummary>;
  const neverSent = rows.length - pending - created;
  assert.deepEqual(summary.reasons, {
    unresolved_at_cutover: pending,
    ...(created > 0 ? { already_migrated: created } : {}),
  });
  assert.equal(summary.created, neverSent, "rows never sent are created after the cutover");
  assert.equal(creates() - createsBefore, neverSent, "no in-doubt token was sent again");
  for (const [hash, n] of Object.entries(emulator.store.stats().creates))
    assert.equal(n, hashesBefore[hash] ?? 1, `token ${hash.slice(0, 8)} created once`);
  assert.ok(summary.cutover.forced);
  const status = await runCli(["status", "--ledger", ledger], env);
  assert.match(status.stdout, /Cutover: .* \(forced with \d+ pending and 0 failed entries\)/);
});
