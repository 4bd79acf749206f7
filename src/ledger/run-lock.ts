import { chmodSync } from "node:fs";
import Database from "better-sqlite3";
import { MigrateError } from "../shared/errors.js";

/** Held by the process whose run (or cutover) is using a ledger; the kernel lets go of it when that process dies. */
export interface RunLock {
  release(): void;
}

/**
 * Takes the ledger's run lock, or returns undefined at once if another process (or another run of this
 * one) holds it.
 *
 * Why not the pid recorded with a run: a pid is reused. A container's run is pid 1 every time; a
 * sandbox may hand a killed run's pid to the very next process. A recorded pid that is alive again
 * proves nothing, and a ledger refused on it stays refused. This lock is an open exclusive transaction
 * on a SQLite file of its own: SQLite takes it with the same file locks that keep the ledger itself
 * consistent, and the kernel drops those locks when the process ends, however it ends (a kill -9 too).
 * SQLite keeps a connection's locks when another connection of the same process opens and closes the
 * file; a plain `fs` open and close of it would drop them (POSIX), so nothing else opens the file.
 */
export function tryRunLock(ledgerFile: string): RunLock | undefined {
  // Never deleted: a process could hold the old file while another made a new one.
  const file = `${ledgerFile}.lock`;
  let db: Database.Database;
  try {
    db = new Database(file, { timeout: 0 });
    // By path, never through a descriptor of our own: closing one would drop this process's lock.
    chmodSync(file, 0o600);
  } catch (error) {
    throw new MigrateError(
      "ledger_invalid",
      `${file}: cannot be opened as the ledger's lock (${(error as Error).message})`,
      {
        file,
        cause: error,
      },
    );
  }
  try {
    db.exec("BEGIN EXCLUSIVE");
  } catch (error) {
    db.close();
    if ((error as { code?: string }).code === "SQLITE_BUSY") return undefined;
    throw new MigrateError(
      "ledger_invalid",
      `${file}: cannot take the ledger's lock (${(error as Error).message})`,
      {
        file,
        cause: error,
      },
    );
  }
  let held = true;
  return {
    release() {
      if (!held) return;
      held = false;
      db.close();
    },
  };
}
