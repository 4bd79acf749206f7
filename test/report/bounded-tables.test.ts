import assert from "node:assert/strict";
import { test } from "node:test";
import { summarise, Tally } from "../../src/report/index.js";

test("per-client tables stay bounded with 20,000 distinct clients, and every row is still counted", () => {
  const tally = new Tally();
  // A busy client and clients named like Object's own properties are counted like any other.
  for (const client of ["c1", "c1", "__proto__", "constructor"]) {
    tally.read();
    tally.settle("created", null, { file: "d.csv", line: 1, client });
  }
  for (let i = 0; i < 20_000; i++) {
    tally.read();
    tally.settle("rejected", "client_unknown", { file: "d.csv", line: i + 2, client: `c${i}` });
    tally.unmappedClient(`c${i}`);
  }
  assert.ok(Object.keys(tally.perClient).length <= 10_001);
  const summary = summarise(tally, { runId: 1, dryRun: true, status: "completed", startedAt: 0, rate: 50 });
  const table = Object.entries(summary.perClient);
  assert.equal(table.length, 101, "100 clients and the rest");
  assert.deepEqual(summary.perClient.c1, { created: 2, skipped: 0, rejected: 1, failed: 0, pending: 0 });
  assert.equal(Object.getPrototypeOf(summary.perClient), Object.prototype, "no prototype was replaced");
  assert.equal(Object.hasOwn(summary.perClient, "constructor"), true);
  const total = table.reduce((n, [, counts]) => n + Object.values(counts).reduce((a, b) => a + b, 0), 0);
  assert.equal(total, summary.rows, "the table adds up to every row");
  assert.equal(Object.keys(summary.unmappedClients).length, 101);
  assert.equal(
    Object.values(summary.unmappedClients).reduce((a, b) => a + b, 0),
    20_000,
  );
  assert.ok(JSON.stringify(summary).length < 50_000, "a bounded --json line");
});
