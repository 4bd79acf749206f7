import type { Database } from "better-sqlite3";

/**
 * Marks aborted the runs left `running` by processes that are gone (a kill -9, a lost host). Only the
 * holder of the run lock may call it, inside a transaction: holding the lock proves no run is live.
 */
export function abortStaleRuns(db: Database): void {
  db.prepare("UPDATE runs SET status = 'aborted', ended_at = ? WHERE status = 'running'").run(Date.now());
}

/** What a refused start says of the process holding the ledger: its run if it recorded one yet. */
export function holderOf(db: Database, file: string): string {
  const run = db
    .prepare("SELECT id, pid, host FROM runs WHERE status = 'running' ORDER BY id DESC LIMIT 1")
    .get() as { id: number; pid: number; host: string } | undefined;
  return run
    ? `${file}: run ${run.id} (pid ${run.pid} on ${run.host}) is still using this ledger`
    : `${file}: another authlete-migrate process is using this ledger (a run starting, or a cutover)`;
}
