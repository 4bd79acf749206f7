import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import Database from "better-sqlite3";
import { openLedger, type Candidate, type Ledger } from "../../src/ledger/index.js";
import type { Payload, Refusal } from "../../src/map/index.js";
import { tempDir } from "../helpers/paths.js";

const payload = (key: string, refreshHash: string | null = null, extra: object = {}): Payload =>
  ({
    kind: "payload",
    key,
    refreshHash,
    probeToken: `probe-${key}`,
    request: { clientId: 1, subject: `user-${key}` },
    ...extra,
  }) as Payload;
const refusal = (kind: Refusal["kind"], reason: string, key: string | null) =>
  ({ kind, reason, detail: "", key, refreshHash: null, probeToken: key && `probe-${key}` }) as Refusal;
const row = (rowNo: number, result: Payload | Refusal): Candidate => ({
  file: "t.csv",
  rowNo,
  line: rowNo + 1,
  result,
});

/**
 * A ledger an earlier run left: created tokens (one with a refresh token), one pending, one skipped as
 * expired, one rejected, one a sync revoked as deleted, one skipped whose subject the bridge revoked since.
 */
function ledgerAfterOneRun(file: string): Ledger {
  const ledger = openLedger(file);
  const runId = ledger.startRun({ dryRun: false, arguments: {}, sources: [], mappingHash: "" });
  ledger
    .liveSink({ runId, retryRejected: false })
    .admit(
      [
        payload("C1"),
        payload("C2", "R2"),
        payload("C3"),
        payload("D"),
        payload("P"),
        refusal("skipped", "expired", "S"),
        refusal("skipped", "expired", "T"),
        refusal("rejected", "client_not_in_service", "J"),
      ].map((result, i) => row(i + 1, result)),
    );
  const created = ["C1", "C2", "C3", "D"];
  ledger.recordOutcomes(
    runId,
    created.map((key) => ({ key, state: "created", reason: null, attempts: 1, sentHash: key })),
  );
  ledger.recordRevocation(runId, "D", "deleted_in_source");
  ledger.recordSubjectTombstone(runId, "1", "user-T");
  ledger.finishRun(runId, "completed", null);
  return ledger;
}

/** What a rerun's row can be, and whether the ledger settles it whatever the service says. */
const kinds: [string, Payload | Refusal, boolean][] = [
  ["created, unchanged", payload("C1"), true],
  ["created with its refresh token, unchanged", payload("C2", "R2"), true],
  ["created, expired since", refusal("skipped", "expired", "C3"), true],
  ["created, refused by the mapping now", refusal("rejected", "invalid_scope", "C1"), true],
  ["skipped, still expired", refusal("skipped", "expired", "S"), true],
  ["skipped, a payload now", payload("S"), true],
  ["created, its refresh token rotated", payload("C2", "R2-new"), false],
  ["created, revoked at the source since", refusal("skipped", "revoked", "C1"), false],
  ["created, its access token alone revoked", payload("C3", null, { revokedAccessToken: "x" }), false],
  ["revoked by a sync as deleted, live again", payload("D"), false],
  ["skipped, a payload of a subject revoked through the bridge", payload("T"), false],
  ["pending", payload("P"), false],
  ["rejected, refused again", refusal("rejected", "client_not_in_service", "J"), true],
  ["rejected, a payload now (the service's verdict says whether it is retryable)", payload("J"), false],
  ["new", payload("N"), false],
  ["no token of its own", refusal("rejected", "missing_column", null), false],
];

function contents(file: string): string {
  const db = new Database(file, { readonly: true });
  try {
    const entries = db.prepare("SELECT * FROM entries ORDER BY rowid").all();
    return JSON.stringify([entries, db.prepare("SELECT count(*) FROM row_notes").pluck().get()]);
  } finally {
    db.close();
  }
}

test("settledAhead settles exactly the leading rows whose fate needs no service and no run, as the run would, writing nothing", (t) => {
  const file = join(tempDir(t), "l.db");
  const ledger = ledgerAfterOneRun(file);
  t.after(() => ledger.close());
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
  const settled = kinds.filter(([, , s]) => s);
  for (let round = 0; round < 3 * kinds.length; round++) {
    // Settled rows, then each kind of row in turn, then one more settled row.
    const lead = Array.from({ length: next() % 6 }, () => settled[next() % settled.length]!);
    const stopper = kinds[round % kinds.length]!;
    const candidates = [...lead, stopper, settled[0]!].map(([, result], i) => row(i + 1, result));
    const before = contents(file);
    const ahead = ledger.settledAhead(candidates, { retryRejected: false });
    assert.equal(contents(file), before, "settling ahead writes nothing to the ledger");
    assert.equal(ahead.length, lead.length + (stopper[2] ? 2 : 0), `round ${round}: "${stopper[0]}"`);
    // A run decides those rows the same way, and records nothing for them either.
    const runId = ledger.startRun({ dryRun: false, arguments: {}, sources: [], mappingHash: "" });
    assert.deepEqual(
      ledger.liveSink({ runId, retryRejected: false }).admit(candidates.slice(0, ahead.length)),
      ahead,
    );
    ledger.finishRun(runId, "interrupted", null);
    assert.equal(contents(file).replace(/"updated_at":\d+/g, ""), before.replace(/"updated_at":\d+/g, ""));
  }
  // --retry-rejected: a rejected row is the run's to decide again (and record).
  const rejected = row(1, refusal("rejected", "client_not_in_service", "J"));
  assert.deepEqual(ledger.settledAhead([rejected], { retryRejected: true }), []);
});
