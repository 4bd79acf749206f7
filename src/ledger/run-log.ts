import { hostname } from "node:os";
import type Database from "better-sqlite3";
import { MigrateError } from "../shared/errors.js";
import { isCount } from "../shared/numbers.js";
import { readCutover, recordCutover } from "./cutover.js";
import { abortStaleRuns, holderOf } from "./holder.js";
import { tryRunLock, type RunLock } from "./run-lock.js";
import { readStatus, readSummary } from "./status.js";
import type { CutoverRecord, LedgerStatus, RunStart, RunStatus } from "./types.js";

/** The ledger's run log: who ran what over which sources, how it ended, and the cutover. */
export interface RunLog {
  /** Registers a run and takes the ledger's run lock until it finishes; refuses while another process holds it. */
  startRun(start: RunStart): number;
  finishRun(runId: number, status: RunStatus, summary: unknown): void;
  /** Rows a completed run read from exactly these sources (same paths, sizes and times), if any did. */
  rowsReadBefore(sources: RunStart["sources"]): number | undefined;
  /** The summary of the last completed run over exactly these sources with this mapping that scanned them for the service (`serviceUsage`), if any. */
  summaryReadBefore(sources: RunStart["sources"], mappingHash: string): Record<string, unknown> | undefined;
  status(): LedgerStatus;
  /** When traffic moved to Authlete, if it has. */
  cutover(): CutoverRecord | undefined;
  /** Records the cutover; refuses while entries are pending or failed unless forced (and says so). */
  recordCutover(options: { force: boolean; at: number }): CutoverRecord;
}

/** The run log, and a way to let go of the locks of runs never finished (the ledger is closing). */
export function openRunLog(db: Database.Database, file: string): RunLog & { releaseLocks(): void } {
  const locks = new Map<number, RunLock>();
  const start = db.transaction((s: RunStart): number => {
    abortStaleRuns(db);
    const info = db
      .prepare(
        `INSERT INTO runs (started_at, dry_run, status, arguments, sources, mapping_hash, pid, host)
        VALUES (?, ?, 'running', ?, ?, ?, ?, ?)`,
      )
      .run(
        Date.now(),
        s.dryRun ? 1 : 0,
        JSON.stringify(s.arguments),
        JSON.stringify(s.sources),
        s.mappingHash,
        process.pid,
        hostname(),
      );
    return Number(info.lastInsertRowid);
  });

  return {
    startRun(s) {
      const lock = tryRunLock(file);
      if (!lock) throw new MigrateError("ledger_locked", holderOf(db, file), { file });
      try {
        const runId = start.immediate(s);
        locks.set(runId, lock);
        return runId;
      } catch (error) {
        lock.release();
        throw error;
      }
    },
    finishRun(runId, status, summary) {
      try {
        db.prepare("UPDATE runs SET status = ?, ended_at = ?, summary = ? WHERE id = ?").run(
          status,
          Date.now(),
          JSON.stringify(summary),
          runId,
        );
      } finally {
        locks.get(runId)?.release();
        locks.delete(runId);
      }
    },
    releaseLocks() {
      for (const lock of locks.values()) lock.release();
      locks.clear();
    },
    summaryReadBefore(sources, mappingHash) {
      const summary = db
        .prepare(
          // A run that did not read the service (a dry run without --check-service) scanned nothing for it.
          `SELECT summary FROM runs WHERE status = 'completed' AND sources = ? AND mapping_hash = ?
          AND CASE WHEN json_valid(summary) THEN json_type(summary, '$.serviceUsage') END = 'object'
          ORDER BY id DESC LIMIT 1`,
        )
        .pluck()
        .get(JSON.stringify(sources), mappingHash) as string | undefined;
      return readSummary(summary) as Record<string, unknown> | undefined;
    },
    rowsReadBefore(sources) {
      const summary = db
        .prepare(
          "SELECT summary FROM runs WHERE status = 'completed' AND sources = ? ORDER BY id DESC LIMIT 1",
        )
        .pluck()
        .get(JSON.stringify(sources)) as string | undefined;
      const rows = (readSummary(summary) as { rows?: unknown } | undefined)?.rows;
      return isCount(rows) ? rows : undefined;
    },
    status: () => readStatus(db),
    cutover: () => readCutover(db),
    recordCutover: (options) => recordCutover(db, file, options),
  };
}
