import type { Database } from "better-sqlite3";
import type { Payload } from "../map/index.js";

/**
 * A token revoked through the bridge before Authlete held it: an entry that says so (skipped,
 * `revoked_through_bridge`), keyed by the value's hash as an access token and holding it as a refresh
 * token too, so neither the bridge nor a batch run on this ledger ever creates it — whichever the value was.
 * A token this ledger created stays `created`: Authlete's OK to a revocation is also its answer for a token
 * of another client, which it left alone (RFC 7009 §2.2), so the OK proves nothing; a created entry is never
 * created again anyway.
 */
export function prepareTombstone(db: Database): (runId: number, tokenHash: string) => void {
  const statement =
    db.prepare(`INSERT INTO entries (token_hash, refresh_hash, source_file, row_no, state, reason,
      detail, run_id, seen_run, updated_at) VALUES (@hash, @hash, 'bridge', 0, 'skipped', 'revoked_through_bridge',
      'revoked through the bridge: never created afterwards', @runId, @runId, @now)
    ON CONFLICT (token_hash) DO UPDATE SET state = 'skipped', reason = 'revoked_through_bridge',
      detail = excluded.detail, run_id = excluded.run_id, updated_at = excluded.updated_at
      WHERE entries.state <> 'created'`);
  return (runId, hash) => void statement.run({ hash, runId, now: Date.now() });
}

/**
 * A (client, subject) whose tokens were revoked through the bridge (Authlete's revoke by client and
 * subject): no legacy token of that pair is created afterwards, by the bridge or a batch run. Issue times
 * are not compared (a payload does not carry one): a token the legacy server issued to the pair later is
 * refused too, and that user signs in again — closed, never open.
 */
export function prepareSubjectTombstones(db: Database) {
  const record =
    db.prepare(`INSERT INTO subject_tombstones (client_id, subject, run_id, at) VALUES (?, ?, ?, ?)
    ON CONFLICT (client_id, subject) DO UPDATE SET run_id = excluded.run_id, at = excluded.at`);
  const find = db.prepare("SELECT 1 FROM subject_tombstones WHERE client_id = ? AND subject = ?").pluck();
  const any = db.prepare("SELECT EXISTS (SELECT 1 FROM subject_tombstones)").pluck();
  return {
    record: (runId: number, clientId: string, subject: string) =>
      void record.run(clientId, subject, runId, Date.now()),
    /** Checks against the tombstones as they are when called (none: a check that costs nothing). */
    checker(): (payload: Payload) => boolean {
      if (any.get() !== 1) return () => false;
      return ({ request: { clientId, subject } }) =>
        subject !== undefined && find.get(String(clientId), subject) === 1;
    },
  };
}
