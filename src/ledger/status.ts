import type { Database } from "better-sqlite3";
import { MigrateError } from "../shared/errors.js";
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
    // One that is not JSON (an edited ledger) is shown as such, not a crash.
    summary: r.summary === null ? null : (readSummary(r.summary) ?? { unreadable: true }),
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
  return { runs, states, reasons, left: states.pending + states.failed, cutover: shownCutover(db) };
}

/** The cutover as status shows it: a record that is not one is said to be so (status only reads). */
function shownCutover(db: Database): LedgerStatus["cutover"] {
  try {
    return readCutover(db);
  } catch (error) {
    if (error instanceof MigrateError && error.code === "ledger_invalid") return "unreadable";
    throw error;
  }
}

/** A stored summary as an object; one that is not (an edited ledger) tells nothing, never a crash. */
export function readSummary(text: unknown): object | undefined {
  try {
    const value: unknown = typeof text === "string" ? JSON.parse(text) : undefined;
    return typeof value === "object" && value !== null ? value : undefined;
  } catch {
    return undefined;
  }
}
