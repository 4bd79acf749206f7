import type { Database } from "better-sqlite3";
import type { Payload } from "../map/index.js";
import { decide, settled, type AdmissionRules } from "./decide.js";
import { EntryReader } from "./entry-reader.js";
import type { Candidate, Decision, FinalState } from "./types.js";

/** How a live run's rows are admitted. */
export interface AdmitOptions extends AdmissionRules {
  runId: number;
  /** The dump is complete: mark what is seen, so created tokens missing from it can be revoked. */
  syncDeletions?: boolean;
}

/** How a dry run's rows are admitted: decided against the ledger, recorded in a throwaway list. */
export interface DryRunOptions extends AdmissionRules {
  /** At most about this many rows will come (sizes the duplicate filter). */
  expectedRows?: number;
}

/** Prepared statements for the admission of a live run. */
export function prepareAdmission(db: Database) {
  const s = {
    entries: new EntryReader(db),
    refreshOwner: db.prepare(
      "SELECT token_hash, seen_run FROM entries WHERE refresh_hash = ? AND token_hash <> ? LIMIT 1",
    ),
    insert:
      db.prepare(`INSERT INTO entries (token_hash, refresh_hash, source_file, row_no, line, state, reason, detail,
      column_name, legacy_client, run_id, seen_run, updated_at) VALUES (@key, @refreshHash, @file, @rowNo, @line, @state,
      @reason, @detail, @column, @legacyClient, @runId, @runId, @now)`),
    reopen:
      db.prepare(`UPDATE entries SET state = 'pending', refresh_hash = @refreshHash, source_file = @file,
      row_no = @rowNo, line = @line, run_id = @runId, seen_run = @runId, updated_at = @now WHERE token_hash = @key`),
    note: db.prepare(`INSERT INTO row_notes (run_id, source_file, row_no, line, state, reason, detail, column_name,
      token_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    seen: db.prepare("UPDATE entries SET seen_run = ? WHERE token_hash = ?"),
    refuse:
      db.prepare(`UPDATE entries SET state = @state, reason = @reason, detail = @detail, column_name = @column,
      run_id = @runId, seen_run = @runId, updated_at = @now WHERE token_hash = @key`),
  };
  return s;
}

type Statements = ReturnType<typeof prepareAdmission>;

export const subjectRevoked = "its client and subject's tokens were revoked through the bridge";

/** Decides one candidate against the ledger and records the decision. Must run inside the batch's transaction. */
export function admitOne(
  s: Statements,
  c: Candidate,
  o: AdmitOptions,
  tombstoned: (payload: Payload) => boolean = () => false,
): Decision {
  const r = c.result;
  const note = (state: FinalState, reason: string, detail: string | null, column: string | null) => {
    s.note.run(o.runId, c.file, c.rowNo, c.line ?? null, state, reason, detail, column, r.key);
    return settled(state, reason);
  };
  if (r.kind !== "payload" && r.key === null) return note(r.kind, r.reason, r.detail, r.column ?? null);

  const key = r.key as string;
  const entry = s.entries.get(key);
  if (entry?.seen_run === o.runId)
    return note("skipped", "duplicate_in_source", "the same token appears earlier in the sources", null);
  if (r.kind === "payload" && entry?.state !== "created" && tombstoned(r))
    return note("skipped", "revoked_through_bridge", subjectRevoked, null);
  // A settled entry needs no refresh-token check: it is counted from what the ledger says.
  const settledBefore =
    entry?.state === "created" ||
    entry?.state === "skipped" ||
    (entry?.state === "rejected" && !o.retryRejected);
  if (r.refreshHash !== null && !settledBefore) {
    const owner = s.refreshOwner.get(r.refreshHash, key) as { seen_run: number } | undefined;
    if (owner) {
      const inThisRun = owner.seen_run === o.runId;
      return note(
        inThisRun ? "skipped" : "rejected",
        inThisRun ? "duplicate_in_source" : "refresh_token_reused",
        "the refresh token belongs to another row's token",
        null,
      );
    }
  }
  const decision = decide(entry, r, o);
  const row = {
    key,
    refreshHash: r.refreshHash,
    file: c.file,
    rowNo: c.rowNo,
    line: c.line ?? null,
    runId: o.runId,
    now: Date.now(),
  };
  if (!entry) {
    const isPayload = r.kind === "payload";
    s.insert.run({
      ...row,
      state: isPayload ? "pending" : r.kind,
      reason: isPayload ? null : r.reason,
      detail: isPayload ? null : r.detail,
      column: isPayload ? null : (r.column ?? null),
      legacyClient: isPayload ? null : (r.legacyClient ?? null),
    });
  } else if (decision.action === "write") s.reopen.run(row);
  else if (entry.state === "created" && o.syncDeletions) s.seen.run(o.runId, key);
  else if (entry.state === "rejected" && o.retryRejected && r.kind !== "payload")
    s.refuse.run({ ...row, state: r.kind, reason: r.reason, detail: r.detail, column: r.column ?? null });
  return decision;
}
