import type { MapResult } from "../map/index.js";

/**
 * A created token's refresh token is over in the source when the row no longer carries it alive: rotated
 * away (oidc-provider keeps the old access token valid without it), consumed, revoked, or dropped by a
 * refresh-only cleanup. Its migrated copy must end at Authlete too, or it would refresh there forever.
 */
export function refreshEnded(entry: { refresh_hash: string | null }, r: MapResult): boolean {
  if (entry.refresh_hash === null) return false;
  if (r.kind === "payload") return r.refreshHash !== entry.refresh_hash;
  // Expired rows: only a refresh token gone or revoked (one that merely expired ended at Authlete too).
  return (
    r.kind === "skipped" &&
    r.reason === "expired" &&
    (r.refreshHash !== entry.refresh_hash || r.refreshRevoked === true)
  );
}

/**
 * A created token whose access token alone the source has revoked since, and that Authlete holds with that
 * access token, not yet ended by an earlier run.
 */
export function accessEndsNow(
  entry: { sent_hash: string; reason: string | null },
  r: MapResult,
  key: string,
): boolean {
  return (
    r.kind === "payload" &&
    r.revokedAccessToken !== undefined &&
    entry.sent_hash === key &&
    entry.reason !== "access_ended_since_migration"
  );
}
