import type { Database } from "better-sqlite3";
import { MigrateError } from "../shared/errors.js";
import { isCount, isInstantMs } from "../shared/numbers.js";
import { abortStaleRuns } from "./holder.js";
import { tryRunLock } from "./run-lock.js";
import type { CutoverRecord } from "./types.js";

/**
 * The recorded cutover, if any (kept in the meta table). A record that is not one (a ledger edited by
 * hand, or damaged) is refused: whether traffic has moved decides what may be sent.
 */
export function readCutover(db: Database): CutoverRecord | undefined {
  const text = db.prepare("SELECT value FROM meta WHERE key = 'cutover'").pluck().get() as unknown;
  if (text === undefined) return undefined;
  let record: unknown;
  try {
    record = typeof text === "string" ? JSON.parse(text) : undefined;
  } catch {
    record = undefined;
  }
  const r = record as Partial<CutoverRecord> | undefined;
  if (
    typeof r !== "object" ||
    r === null ||
    !isInstantMs(r.at) ||
    typeof r.forced !== "boolean" ||
    !isCount(r.pending) ||
    !isCount(r.failed)
  )
    throw new MigrateError(
      "ledger_invalid",
      "the ledger's cutover record is not one this tool wrote (edited or damaged): it decides what may be sent, so nothing goes on until the ledger is restored",
    );
  return r as CutoverRecord;
}

/**
 * Records the moment traffic moves to Authlete. From then on clients refresh and revoke at Authlete, so
 * a token an earlier run may have sent and that Authlete no longer holds may have been rotated or
 * revoked there: it must never be sent again. Entries still pending or failed are exactly those, so
 * the cutover waits for them unless forced, and a forced one says how many there were.
 */
export function recordCutover(
  db: Database,
  file: string,
  options: { force: boolean; at: number },
): CutoverRecord {
  const existing = readCutover(db);
  if (existing) return existing;
  // Held while the cutover is recorded: no run starts in between and sends what the cutover closes.
  const lock = tryRunLock(file);
  if (!lock)
    throw new MigrateError(
      "cutover_refused",
      `${file}: a run is still using this ledger; let it finish first`,
      {
        file,
      },
    );
  try {
    return recordUnderLock(db, file, options);
  } finally {
    lock.release();
  }
}

function recordUnderLock(db: Database, file: string, options: { force: boolean; at: number }): CutoverRecord {
  return db
    .transaction((): CutoverRecord => {
      const existing = readCutover(db);
      if (existing) return existing;
      abortStaleRuns(db);
      const count = (state: string) =>
        db.prepare("SELECT count(*) FROM entries WHERE state = ?").pluck().get(state) as number;
      const record: CutoverRecord = {
        at: options.at,
        forced: false,
        pending: count("pending"),
        failed: count("failed"),
      };
      if (record.pending + record.failed > 0) {
        if (!options.force)
          throw new MigrateError(
            "cutover_refused",
            `${file}: ${record.pending} pending and ${record.failed} failed entries remain; rerun the migration until none do, or record the cutover with --force (they will then never be sent again)`,
            { file },
          );
        record.forced = true;
      }
      db.prepare("INSERT INTO meta (key, value) VALUES ('cutover', ?)").run(JSON.stringify(record));
      return record;
    })
    .immediate();
}
