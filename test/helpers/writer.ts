import assert from "node:assert/strict";
import { loadMapping, mapRow, type Payload } from "../../src/map/index.js";
import type { WriteDecision, WriterOptions } from "../../src/write/index.js";
import { liveRows, writeMapping } from "./dumps.js";

/** Writer options for in-process tests: fast backoff, a fixed jitter, the host's clock. */
export const writerOptions: WriterOptions = {
  concurrency: 4,
  rate: 1000,
  maxAttempts: 5,
  backoffBaseMs: 10,
  backoffCapMs: 100,
  giveUpAfterMs: 30_000,
  breakerThreshold: 10,
  clock: () => Date.now(),
  maxClockSkewMs: 60_000,
  random: () => 0.5,
};

/** Payloads for live rows, mapped in process with the suite's generic mapping. */
export function payloads(dir: string, n: number): Payload[] {
  const mapping = loadMapping(writeMapping(dir));
  const now = Date.now();
  return liveRows(n).map((row, i) => {
    const result = mapRow({ file: "t.csv", rowNo: i + 1, fields: { ...row } }, { mapping, now });
    assert.equal(result.kind, "payload");
    return result as Payload;
  });
}

/** A write of one payload; in doubt when an earlier run may have sent it. */
export const write = (payload: Payload, inDoubt = false): WriteDecision => ({
  key: payload.key,
  payload,
  fallback: null,
  inDoubt,
});
