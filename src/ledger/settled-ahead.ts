import type { Database } from "better-sqlite3";
import type { Payload, Refusal } from "../map/index.js";
import { decide } from "./decide.js";
import { EntryReader, type EntryRow } from "./entry-reader.js";
import type { Candidate, Decision } from "./types.js";

/**
 * Reads, without writing, which of a batch's first candidates a run would settle without a call and
 * without recording anything, whatever the service says: tokens the ledger holds as created (the source
 * still has them alive) or as skipped, and refused rows it holds as rejected. No service verdict or JWT
 * signature check can change their decision: those turn only payloads into refusals, and a created token
 * is then still `already_migrated`, a skipped one still skipped for the reason it was (a rejected one
 * would count as retryable or not by the verdict: only refusals are taken). So a rerun settles them
 * before it reads the service.
 *
 * Returns the decisions of the longest such prefix. The first candidate that might need more ends it, and
 * the run admits it: no entry or no token of its own, pending, failed, a payload the ledger rejected or
 * anything rejected under --retry-rejected, a revocation or an ending, a token a sync revoked as deleted,
 * a payload of a subject revoked through the bridge.
 */
export function prepareSettledAhead(
  db: Database,
  tombstones: () => (payload: Payload) => boolean,
): (candidates: readonly Candidate[], rules: { retryRejected: boolean }) => Decision[] {
  const entries = new EntryReader(db);
  return db.transaction((candidates: readonly Candidate[], { retryRejected }: { retryRejected: boolean }) => {
    entries.sync();
    const tombstoned = tombstones();
    const decisions: Decision[] = [];
    for (const { result } of candidates) {
      if (result.key === null) break;
      const entry = entries.get(result.key);
      if (!entry || !settledWhatever(entry, result, tombstoned, retryRejected)) break;
      const decision = decide(entry, result, { retryRejected });
      if (decision.action !== "settled") break;
      decisions.push(decision);
    }
    entries.settle();
    return decisions;
  }).deferred;
}

/** An entry whose decision neither the service nor the run can change (admission writes nothing for it). */
function settledWhatever(
  entry: EntryRow,
  result: Payload | Refusal,
  tombstoned: (payload: Payload) => boolean,
  retryRejected: boolean,
): boolean {
  if (entry.state === "created") return true;
  if (entry.state === "rejected") return !retryRejected && result.kind !== "payload";
  if (entry.state !== "skipped") return false;
  // Live again after a sync revoked it as deleted: sent again. A payload of a subject revoked through
  // the bridge is noted in the run (admit.ts), unless the service's verdict refuses it first.
  return entry.reason !== "deleted_in_source" && !(result.kind === "payload" && tombstoned(result));
}
