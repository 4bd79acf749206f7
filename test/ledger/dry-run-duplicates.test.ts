import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { test } from "node:test";
import fc from "fast-check";
import { openLedger } from "../../src/ledger/index.js";
import { SeenFilter } from "../../src/ledger/seen-filter.js";
import type { Candidate } from "../../src/ledger/types.js";
import type { Payload } from "../../src/map/types.js";
import { tempDir } from "../helpers/paths.js";

const randomKey = () => randomBytes(32).toString("base64url");

test("the seen filter never forgets a key, and rarely claims one it never saw", () => {
  // Sized for 100,000 keys: the false 'maybe' rate there is about 0.5 %, at most ~0.05 % while filling.
  const filter = new SeenFilter(100_000);
  const added = Array.from({ length: 100_000 }, randomKey);
  const whileFilling = added.filter((k) => filter.testAndAdd(k)).length;
  assert.ok(whileFilling < 150, `${whileFilling} of 100,000 fresh keys called 'maybe seen'`);
  assert.ok(
    added.every((k) => filter.testAndAdd(k)),
    "an added key is always 'maybe seen'",
  );
  const strangers = Array.from({ length: 10_000 }, randomKey).filter((k) => filter.testAndAdd(k)).length;
  assert.ok(strangers < 100, `${strangers} false 'maybe' in 10,000: over 1 %`);
});

/** Rows a dry run must call duplicates: a repeated access token, else a repeated refresh token. */
function expectedDuplicates(rows: { access: string; refresh: string | null }[]): number[] {
  const accesses = new Set<string>();
  const refreshes = new Set<string>();
  const duplicates: number[] = [];
  rows.forEach((row, i) => {
    if (accesses.has(row.access)) return void duplicates.push(i + 1);
    accesses.add(row.access);
  });
  rows.forEach((row, i) => {
    if (duplicates.includes(i + 1) || row.refresh === null) return;
    if (refreshes.has(row.refresh)) duplicates.push(i + 1);
    else refreshes.add(row.refresh);
  });
  return duplicates.sort((a, b) => a - b);
}

test("a dry run finds exactly the repeated tokens, also when the filter answers 'maybe' for every key", async (t) => {
  const dir = tempDir(t);
  // Keys sharing their first twelve characters land on the same filter bits: every one is a false 'maybe'.
  const colliding = (n: number) => `AAAAAAAAAAAA${String(n).padStart(31, "0")}`;
  const key = fc.oneof(
    fc.integer({ min: 0, max: 40 }).map(colliding),
    fc.integer({ min: 0, max: 40 }).map((n) => `k${n}`.padEnd(43, "x")),
  );
  const rows = fc.array(fc.record({ access: key, refresh: fc.option(key, { nil: null }) }), {
    minLength: 1,
    maxLength: 120,
  });
  let run = 0;
  await fc.assert(
    fc.asyncProperty(rows, fc.integer({ min: 1, max: 1_000_000 }), async (generated, expectedRows) => {
      const ledger = openLedger(join(dir, `l${run++}.db`));
      try {
        ledger.startRun({ dryRun: true, arguments: {}, sources: [], mappingHash: "" });
        const candidates: Candidate[] = generated.map((row, i) => ({
          file: "dump.csv",
          rowNo: i + 1,
          line: i + 1,
          client: "c",
          result: { kind: "payload", key: row.access, refreshHash: row.refresh } as Payload,
        }));
        const sink = ledger.dryRunSink({ retryRejected: false, expectedRows });
        sink.admit(candidates);
        const found = sink.duplicates();
        const expected = expectedDuplicates(generated);
        assert.equal(found.count, expected.length);
        assert.deepEqual(
          found.first.map((f) => f.line),
          expected.slice(0, 5),
        );
        assert.deepEqual(
          found.counted,
          expected.length === 0
            ? []
            : [{ state: "created", reason: null, bucket: null, client: "c", n: expected.length }],
        );
      } finally {
        ledger.close();
      }
    }),
    { numRuns: 150 },
  );
});
