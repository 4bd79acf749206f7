import type { Database } from "better-sqlite3";
import { MigrateError } from "../shared/errors.js";
import { liveHolder } from "./holder.js";
import type { CutoverRecord } from "./types.js";

/** The recorded cutover, if any (kept in the meta table). */
export function readCutover(db: Database): CutoverRecord | undefined {
  const text = db.prepare("SELECT value FROM meta WHERE key = 'cutover'").pluck().get() as string | undefined;
  return text === undefined ? undefined : (JSON.parse(text) as CutoverRecord);
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
  return db
    .transaction((): CutoverRecord => {
      const existing = readCutover(db);
      if (existing) return existing;
      if (liveHolder(db))
        throw new MigrateError(
          "cutover_refused",
          `${file}: a run is still using this ledger; let it finish first`,
          {
            file,
          },
        );
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
