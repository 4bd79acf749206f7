import type { Database } from "better-sqlite3";
import type { Ledger } from "./ledger.js";

/**
 * What the ledger records when a created token ends at Authlete: revoked whole (or found absent), or one
 * of its pair ended. Each touches only an entry still `created`: a token is ended once.
 */
export function prepareEndings(
  db: Database,
): Pick<Ledger, "recordRevocation" | "recordRefreshEnded" | "recordAccessEnded"> {
  return {
    recordRevocation(runId, hash, reason) {
      db.prepare(
        "UPDATE entries SET state = ?, reason = ?, run_id = ?, updated_at = ? WHERE token_hash = ? AND state = 'created'",
      ).run(reason === "not_found_in_authlete" ? "rejected" : "skipped", reason, runId, Date.now(), hash);
    },
    recordRefreshEnded(runId, hash) {
      db.prepare(
        "UPDATE entries SET refresh_hash = NULL, detail = ?, updated_at = ? WHERE token_hash = ? AND state = 'created'",
      ).run(`refresh token ended at Authlete by run ${runId}: the source no longer has it`, Date.now(), hash);
    },
    recordAccessEnded(runId, hash) {
      db.prepare(
        "UPDATE entries SET reason = 'access_ended_since_migration', detail = ?, updated_at = ? WHERE token_hash = ? AND state = 'created'",
      ).run(`access token ended at Authlete by run ${runId}: the source revoked it alone`, Date.now(), hash);
    },
  };
}
