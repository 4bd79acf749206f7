import type { Database } from "better-sqlite3";
import { hostname } from "node:os";

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * The run still holding the ledger, if any. A run left `running` by a process of this host that is
 * gone (a kill -9) is marked aborted on the way. Must run inside a transaction.
 */
export function liveHolder(db: Database): { id: number; pid: number; host: string } | undefined {
  const running = db.prepare("SELECT id, pid, host FROM runs WHERE status = 'running'").all() as {
    id: number;
    pid: number;
    host: string;
  }[];
  for (const run of running) {
    if (run.host === hostname() && !isAlive(run.pid)) {
      db.prepare("UPDATE runs SET status = 'aborted', ended_at = ? WHERE id = ?").run(Date.now(), run.id);
      continue;
    }
    return run;
  }
  return undefined;
}
