import { hostname } from "node:os";
import type Database from "better-sqlite3";
import { MigrateError } from "../shared/errors.js";
import { isCount } from "../shared/numbers.js";
import { readCutover, recordCutover } from "./cutover.js";
import { liveHolder } from "./holder.js";
import { readStatus, readSummary } from "./status.js";
import type { CutoverRecord, LedgerStatus, RunStart, RunStatus } from "./types.js";

/** The ledger's run log: who ran what over which sources, how it ended, and the cutover. */
export interface RunLog {
  /** Registers a run; refuses while another live process holds a running run on this ledger. */
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

export function openRunLog(db: Database.Database, file: string): RunLog {
  const start = db.transaction((s: RunStart): number => {
    const holder = liveHolder(db);
    if (holder)
      throw new MigrateError(
        "ledger_locked",
        `${file}: run ${holder.id} (pid ${holder.pid} on ${holder.host}) is still using this ledger`,
        { file },
      );
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
    startRun: (s) => start.immediate(s),
    finishRun(runId, status, summary) {
      db.prepare("UPDATE runs SET status = ?, ended_at = ?, summary = ? WHERE id = ?").run(
        status,
        Date.now(),
        JSON.stringify(summary),
        runId,
      );
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
