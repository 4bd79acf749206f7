import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { openLedger, type Candidate, type Decision, type Ledger } from "../../src/ledger/index.js";
import type { Payload } from "../../src/map/index.js";
import { tempDir } from "../helpers/paths.js";

const key = (i: number) => `k${String(i).padStart(42, "0")}`;
const row = (i: number): Candidate => ({
  file: "t.csv",
  rowNo: i + 1,
  line: i + 2,
  result: { kind: "payload", key: key(i), refreshHash: null, probeToken: key(i) } as Payload,
});
const rows = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => row(from + i));
const fate = (d: Decision) =>
  d.action === "settled"
    ? d.reason
    : d.action === "write"
      ? `write${d.inDoubt ? " (in doubt)" : ""}`
      : d.action;

/** A ledger whose first run created 100 tokens, in row order, and a second run started on it. */
function completedLedger(file: string): { ledger: Ledger; runId: number } {
  const ledger = openLedger(file);
  const first = ledger.startRun({ dryRun: false, arguments: {}, sources: [], mappingHash: "" });
  ledger.liveSink({ runId: first, retryRejected: false }).admit(rows(0, 100));
  ledger.recordOutcomes(
    first,
    rows(0, 100).map((r) => ({
      key: r.result.key!,
      state: "created",
      reason: null,
      attempts: 1,
      sentHash: r.result.key!,
    })),
  );
  ledger.finishRun(first, "completed", null);
  return { ledger, runId: ledger.startRun({ dryRun: false, arguments: {}, sources: [], mappingHash: "" }) };
}

test("a rerun in the ledger's order sees a change made between its batches, by itself or by another process", (t) => {
  const dir = tempDir(t);
  for (const by of ["this connection", "another connection"] as const) {
    const file = join(dir, `${by}.db`);
    const { ledger, runId } = completedLedger(file);
    t.after(() => ledger.close());
    const sink = ledger.liveSink({ runId, retryRejected: false });
    // The first batch, in order: the rest of the ledger is read ahead of the rows.
    assert.deepEqual(new Set(sink.admit(rows(0, 30)).map(fate)), new Set(["already_migrated"]));
    // Between batches, entries 31 and 40 (already read ahead) are revoked as deleted from the source.
    const other = by === "this connection" ? ledger : openLedger(file);
    for (const i of [31, 40]) other.recordRevocation(runId, key(i), "deleted_in_source");
    if (other !== ledger) other.close();
    const next = sink.admit(rows(30, 50)).map(fate);
    // Live in the source again after a sync revoked it: sent again, looked up first (decide.ts).
    assert.equal(next[1], "write (in doubt)", `row 31 after the change by ${by}`);
    assert.equal(next[10], "write (in doubt)", `row 40 after the change by ${by}`);
    assert.deepEqual(
      next.filter((_, i) => i !== 1 && i !== 10),
      Array(18).fill("already_migrated"),
    );
  }
});

test("a row repeated within a rerun is a duplicate wherever the read-ahead stands; rows out of order are found by key", (t) => {
  const { ledger, runId } = completedLedger(join(tempDir(t), "l.db"));
  t.after(() => ledger.close());
  const sink = ledger.liveSink({ runId, retryRejected: false, syncDeletions: true });
  // In order, then a jump back, a repeat of a row just admitted, and a jump ahead: each decided as alone.
  const order = [0, 1, 2, 3, 4, 5, 6, 7, 2, 8, 9, 60, 61, 62, 63, 64, 10, 64, 65, 99, 98];
  const decided = sink.admit(order.map(row)).map(fate);
  const expected = order.map((i, at) => (order.indexOf(i) < at ? "duplicate_in_source" : "already_migrated"));
  assert.deepEqual(decided, expected);
});
