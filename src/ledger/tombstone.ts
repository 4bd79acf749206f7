import type { Database } from "better-sqlite3";

/**
 * A token revoked through the bridge before Authlete held it: an entry that says so (skipped,
 * `revoked_through_bridge`), keyed by the value's hash as an access token and holding it as a refresh
 * token too, so neither the bridge nor a batch run on this ledger ever creates it — whichever the value was.
 */
export function prepareTombstone(db: Database): (runId: number, tokenHash: string) => void {
  const statement =
    db.prepare(`INSERT INTO entries (token_hash, refresh_hash, source_file, row_no, state, reason,
      detail, run_id, seen_run, updated_at) VALUES (@hash, @hash, 'bridge', 0, 'skipped', 'revoked_through_bridge',
      'revoked through the bridge: never created afterwards', @runId, @runId, @now)
    ON CONFLICT (token_hash) DO UPDATE SET state = 'skipped', reason = 'revoked_through_bridge',
      detail = excluded.detail, run_id = excluded.run_id, updated_at = excluded.updated_at`);
  return (runId, hash) => void statement.run({ hash, runId, now: Date.now() });
}
