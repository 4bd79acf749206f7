import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { openLedger, type Candidate } from "../../src/ledger/index.js";
import type { Payload, Refusal } from "../../src/map/index.js";
import { tempDir } from "../helpers/paths.js";

const payload = (key: string, refreshHash: string | null = null): Payload =>
  ({ kind: "payload", key, refreshHash, probeToken: `probe-${key}` }) as Payload;
const row = (rowNo: number, result: Payload | Refusal): Candidate => ({
  file: "t.csv",
  rowNo,
  line: rowNo + 1,
  result,
});

test("admission decides each row against the ledger, in process: new, repeated, settled, in doubt, revoked, refresh ended", (t) => {
  const ledger = openLedger(join(tempDir(t), "l.db"));
  t.after(() => ledger.close());
  let last: number | undefined;
  const live = (retryRejected = false) => {
    if (last !== undefined) ledger.finishRun(last, "completed", null);
    const runId = (last = ledger.startRun({ dryRun: false, arguments: {}, sources: [], mappingHash: "" }));
    return { runId, options: { runId, retryRejected } };
  };

  const first = live();
  const decided = ledger
    .liveSink(first.options)
    .admit([
      row(1, payload("A", "RA")),
      row(2, payload("A", "RA")),
      row(3, payload("B")),
      row(4, payload("C", "RC")),
    ]);
  assert.deepEqual(
    decided.map((d) => (d.action === "settled" ? `${d.state}:${d.reason}` : d.action)),
    ["write", "skipped:duplicate_in_source", "write", "write"],
  );
  ledger.recordOutcomes(first.runId, [
    { key: "A", state: "created", reason: null, attempts: 1, sentHash: "A" },
    { key: "C", state: "created", reason: null, attempts: 1, sentHash: "C" },
  ]);
  // B was sent but its outcome never recorded (a crash): pending.

  const second = live();
  const revoked: Refusal = {
    kind: "skipped",
    reason: "revoked",
    detail: "",
    key: "A",
    refreshHash: "RA",
    probeToken: "a-value",
  };
  const again = ledger
    .liveSink(second.options)
    .admit([row(1, revoked), row(3, payload("B")), row(4, payload("C", null))]);
  assert.deepEqual(again[0], { action: "revoke", key: "A", identifier: "a-value", refreshHash: "RA" });
  assert.deepEqual(
    again[1] && again[1].action === "write" ? [again[1].action, again[1].inDoubt] : again[1],
    ["write", true],
    "an earlier run may have sent it: look before creating",
  );
  assert.deepEqual(again[2], { action: "end_refresh", key: "C", accessHash: "C", refreshHash: "RC" });

  ledger.recordRefreshEnded(second.runId, "C");
  const third = live();
  const unchanged = ledger.liveSink(third.options).admit([row(4, payload("C", null))]);
  assert.deepEqual(unchanged, [{ action: "settled", state: "skipped", reason: "already_migrated" }]);
});

test("a rejected row stays rejected on a rerun, and is sent again with --retry-rejected", (t) => {
  const ledger = openLedger(join(tempDir(t), "l.db"));
  t.after(() => ledger.close());
  let last: number | undefined;
  const start = () => {
    if (last !== undefined) ledger.finishRun(last, "completed", null);
    return (last = ledger.startRun({ dryRun: false, arguments: {}, sources: [], mappingHash: "" }));
  };
  const rejected: Refusal = {
    kind: "rejected",
    reason: "client_unknown",
    detail: "no such client",
    key: "K",
    refreshHash: null,
  };
  const r1 = start();
  ledger.liveSink({ runId: r1, retryRejected: false }).admit([row(1, rejected)]);
  const r2 = start();
  assert.deepEqual(ledger.liveSink({ runId: r2, retryRejected: false }).admit([row(1, payload("K"))]), [
    { action: "settled", state: "rejected", reason: "client_unknown" },
  ]);
  const r3 = start();
  const retried = ledger.liveSink({ runId: r3, retryRejected: true }).admit([row(1, payload("K"))]);
  assert.equal(retried[0]?.action, "write");
});
