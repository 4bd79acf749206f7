import type { Database } from "better-sqlite3";
import { readCutover } from "./cutover.js";
import type { EntryState, LedgerStatus, RunRecord, RunStatus } from "./types.js";

/** What `status` shows: every run, the entries by state and reason, and the cutover. */
export function readStatus(db: Database): LedgerStatus {
  const runs = (
    db.prepare("SELECT id, started_at, ended_at, dry_run, status, summary FROM runs ORDER BY id").all() as {
      id: number;
      started_at: number;
      ended_at: number | null;
      dry_run: number;
      status: RunStatus;
      summary: string | null;
    }[]
  ).map((r): RunRecord => ({
    id: r.id,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    dryRun: r.dry_run === 1,
    status: r.status,
    summary: r.summary === null ? null : JSON.parse(r.summary),
  }));
  const states: Record<EntryState, number> = { pending: 0, created: 0, skipped: 0, rejected: 0, failed: 0 };
  for (const row of db.prepare("SELECT state, count(*) AS n FROM entries GROUP BY state").all() as {
    state: EntryState;
    n: number;
  }[]) {
    states[row.state] = row.n;
  }
  const reasons: Record<string, number> = {};
  for (const row of db
    .prepare("SELECT reason, count(*) AS n FROM entries WHERE reason IS NOT NULL GROUP BY reason")
    .all() as { reason: string; n: number }[]) {
    reasons[row.reason] = row.n;
  }
  return { runs, states, reasons, left: states.pending + states.failed, cutover: readCutover(db) };
}
