import type { Database } from "better-sqlite3";
import { accessEndsNow, refreshEnded } from "./refresh-ended.js";
import type { Candidate, Decision, EntryState, FinalState } from "./types.js";

interface EntryRow {
  state: EntryState;
  reason: string | null;
  seen_run: number;
  refresh_hash: string | null;
  sent_hash: string;
}

/** How a live run's rows are admitted. */
export interface AdmitOptions {
  runId: number;
  retryRejected: boolean;
  /** The dump is complete: mark what is seen, so created tokens missing from it can be revoked. */
  syncDeletions?: boolean;
  /** The ledger recorded a cutover: nothing an earlier run may have sent is sent again. */
  afterCutover?: boolean;
}

/** How a dry run's rows are admitted: decided against the ledger, recorded in a throwaway list. */
export interface DryRunOptions {
  retryRejected: boolean;
  /** At most about this many rows will come (sizes the duplicate filter). */
  expectedRows?: number;
  /** The ledger recorded a cutover: a token revoked as deleted is not created again. */
  afterCutover?: boolean;
}

/** Prepared statements for the admission of a live run. */
export function prepareAdmission(db: Database) {
  const s = {
    entry: db.prepare(
      "SELECT state, reason, seen_run, refresh_hash, coalesce(sent_hash, token_hash) AS sent_hash FROM entries WHERE token_hash = ?",
    ),
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

function settled(state: FinalState, reason: string | null): Decision {
  return { action: "settled", state, reason: reason as Extract<Decision, { action: "settled" }>["reason"] };
}

/** Decides one candidate against the ledger. Must run inside the batch's transaction. */
export function admitOne(s: Statements, c: Candidate, o: AdmitOptions): Decision {
  const r = c.result;
  const now = Date.now();
  const note = (state: FinalState, reason: string, detail: string | null, column: string | null) => {
    s.note.run(o.runId, c.file, c.rowNo, c.line ?? null, state, reason, detail, column, r.key);
    return settled(state, reason);
  };
  if (r.kind !== "payload" && r.key === null) return note(r.kind, r.reason, r.detail, r.column ?? null);

  const key = r.key as string;
  const entry = s.entry.get(key) as EntryRow | undefined;
  if (entry?.seen_run === o.runId)
    return note("skipped", "duplicate_in_source", "the same token appears earlier in the sources", null);
  // A settled entry needs no refresh-token check: it is counted from what the ledger says (below).
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
  const row = {
    key,
    refreshHash: r.refreshHash,
    file: c.file,
    rowNo: c.rowNo,
    line: c.line ?? null,
    runId: o.runId,
    now,
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
    return isPayload
      ? { action: "write", key: r.key, payload: r, fallback: null, inDoubt: false }
      : settled(r.kind, r.reason);
  }
  // Settled entries are not touched (a rerun over millions of them stays read-only); a repeat of one
  // in a rerun is counted like its first occurrence.
  switch (entry.state) {
    case "created":
      if (o.syncDeletions) s.seen.run(o.runId, key);
      if (
        r.kind === "skipped" &&
        (r.reason === "revoked" || r.reason === "revoked_in_source") &&
        r.probeToken
      ) {
        return { action: "revoke", key, identifier: r.probeToken, refreshHash: entry.refresh_hash };
      }
      // Its access token alone was revoked since, and Authlete holds that access token live: it ends
      // there (its refresh token lives on, as at the source), once.
      if (accessEndsNow(entry, r, key))
        return { action: "end_access", key, accessHash: entry.sent_hash, refreshHash: entry.refresh_hash };
      if (refreshEnded(entry, r))
        return { action: "end_refresh", key, accessHash: entry.sent_hash, refreshHash: entry.refresh_hash! };
      return settled("skipped", "already_migrated");
    case "skipped":
      // Live in the source again after a sync revoked it as deleted: it never died at the legacy server
      // (an export that was not complete after all). Before a cutover only: after it, Authlete decides.
      if (entry.reason === "deleted_in_source" && r.kind === "payload" && !o.afterCutover) {
        s.reopen.run(row);
        return { action: "write", key, payload: r, fallback: null, inDoubt: true };
      }
      return settled("skipped", entry.reason);
    case "rejected":
      if (!o.retryRejected) return settled("rejected", entry.reason);
      if (r.kind !== "payload") {
        s.refuse.run({ ...row, state: r.kind, reason: r.reason, detail: r.detail, column: r.column ?? null });
        return settled(r.kind, r.reason);
      }
      s.reopen.run(row);
      return { action: "write", key, payload: r, fallback: null, inDoubt: false };
    default:
      // pending or failed: an earlier run may have sent it, so the writer must look before it creates.
      s.reopen.run(row);
      return {
        action: "write",
        key,
        payload: r.kind === "payload" ? r : null,
        fallback: r.kind === "payload" ? null : r,
        inDoubt: true,
        afterCutover: o.afterCutover === true,
      };
  }
}
