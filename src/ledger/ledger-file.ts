import { randomBytes } from "node:crypto";
import { chmodSync, closeSync, existsSync, linkSync, lstatSync, openSync, rmSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import BetterSqlite, { type Database } from "better-sqlite3";
import { MigrateError } from "../shared/errors.js";
import { applicationId, ensureSchema, isInterruptedCreation } from "./schema.js";

/**
 * Refuses, before anything is written or chmod'ed, a file that is not an authlete-migrate ledger: not a
 * SQLite database, or one holding another program's tables. Read-only; an empty or missing file passes.
 */
export function checkLedgerFile(file: string): void {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    return; // created below
  }
  if (size === 0) return;
  let db: Database | undefined;
  try {
    db = new BetterSqlite(file, { readonly: true, fileMustExist: true });
    const id = db.pragma("application_id", { simple: true }) as number;
    if (id === applicationId) return;
    const names = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
    if (names.length === 0) return;
    // A ledger made before the application_id was set: its own tables and schema marker.
    const ours =
      id === 0 &&
      ((["meta", "runs", "entries"].every((t) => names.includes(t)) &&
        db.prepare("SELECT value FROM meta WHERE key = 'schema'").pluck().get() !== undefined) ||
        isInterruptedCreation(db));
    if (!ours)
      throw new MigrateError(
        "ledger_invalid",
        `${file}: not an authlete-migrate ledger (a SQLite file of another program); nothing was changed`,
        { file },
      );
  } catch (error) {
    if (error instanceof MigrateError) throw error;
    // Reading it would first roll back a transaction its writer was killed in: a write, not done here.
    if (existsSync(`${file}-journal`))
      throw new MigrateError(
        "ledger_invalid",
        `${file}: a process was killed while writing it (${basename(file)}-journal is beside it); nothing was changed. If it is a ledger an earlier version was creating, it holds nothing: delete both files`,
        { file, cause: error },
      );
    throw new MigrateError(
      "ledger_invalid",
      `${file}: not a ledger (not a SQLite database); nothing was changed`,
      {
        file,
        cause: error,
      },
    );
  } finally {
    db?.close();
  }
}

/**
 * Makes a missing ledger whole or not at all: its tables are created in a private file beside it, which
 * is then linked into place. Created in place, a kill in the middle (while SQLite switches a new file
 * to WAL, say) left a file every later run refused. A kill leaves only the hidden `.creating` file.
 * An existing file is made 0600; never opened here, as closing a descriptor of our own would drop the
 * SQLite locks another connection of this process holds on it (POSIX).
 */
export function createLedgerFile(file: string): void {
  if (!exists(file)) {
    const temp = join(dirname(file), `.${basename(file)}.${randomBytes(6).toString("hex")}.creating`);
    closeSync(openSync(temp, "wx", 0o600));
    try {
      const db = new BetterSqlite(temp);
      try {
        db.pragma("journal_mode = WAL");
        ensureSchema(db, file);
      } finally {
        db.close(); // the last connection: its WAL is checkpointed into the file and removed
      }
      try {
        linkSync(temp, file);
      } catch (error) {
        // Another process made it first: theirs stands.
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      }
    } finally {
      for (const leftover of [temp, `${temp}-journal`, `${temp}-wal`, `${temp}-shm`])
        rmSync(leftover, { force: true });
    }
  }
  chmodSync(file, 0o600);
}

function exists(file: string): boolean {
  try {
    lstatSync(file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw error;
  }
}
