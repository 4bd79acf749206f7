import type { Payload, Refusal } from "../map/index.js";
import { accessEndsNow, refreshEnded } from "./refresh-ended.js";
import type { Decision, EntryState, FinalState } from "./types.js";

/** What the ledger holds of a token, as admission reads it. */
export interface KnownEntry {
  state: EntryState;
  reason: string | null;
  refresh_hash: string | null;
  /** The access token Authlete holds (the entry's own for all but refresh-only rows). */
  sent_hash: string;
}

/** The run's standing rules for tokens the ledger already knows. */
export interface AdmissionRules {
  retryRejected: boolean;
  /** The ledger recorded a cutover: nothing an earlier run may have sent is sent again. */
  afterCutover?: boolean;
}

export function settled(state: FinalState, reason: string | null): Decision {
  return { action: "settled", state, reason: reason as Extract<Decision, { action: "settled" }>["reason"] };
}

const write = (r: Payload, inDoubt: boolean): Decision => ({
  action: "write",
  key: r.key,
  payload: r,
  fallback: null,
  inDoubt,
});

/**
 * The admission table: what becomes of a keyed row given what the ledger holds of its token. Pure — the
 * live sink applies it inside its transaction and records what it decided, the dry run records it in a
 * throwaway list, so a dry run plans exactly what a live run does. Repeats within a run are found by the
 * caller (they depend on the run's other rows, not on this row and its entry).
 */
export function decide(entry: KnownEntry | undefined, r: Payload | Refusal, o: AdmissionRules): Decision {
  const key = r.key as string;
  if (!entry) return r.kind === "payload" ? write(r, false) : settled(r.kind, r.reason);
  // Settled entries are not touched (a rerun over millions of them stays read-only); a repeat of one
  // in a rerun is counted like its first occurrence.
  switch (entry.state) {
    case "created": {
      const revoked = r.kind === "skipped" && (r.reason === "revoked" || r.reason === "revoked_in_source");
      if (revoked && r.probeToken)
        return { action: "revoke", key, identifier: r.probeToken, refreshHash: entry.refresh_hash };
      // Its access token alone was revoked since, and Authlete holds that access token live: it ends
      // there (its refresh token lives on, as at the source), once.
      if (accessEndsNow(entry, r, key))
        return { action: "end_access", key, accessHash: entry.sent_hash, refreshHash: entry.refresh_hash };
      if (refreshEnded(entry, r))
        return { action: "end_refresh", key, accessHash: entry.sent_hash, refreshHash: entry.refresh_hash! };
      return settled("skipped", "already_migrated");
    }
    case "skipped":
      // Live in the source again after a sync revoked it as deleted: it never died at the legacy server
      // (an export that was not complete after all). Before a cutover only: after it, Authlete decides.
      if (entry.reason === "deleted_in_source" && r.kind === "payload" && !o.afterCutover)
        return write(r, true);
      return settled("skipped", entry.reason);
    case "rejected":
      if (!o.retryRejected) return settled("rejected", entry.reason);
      return r.kind === "payload" ? write(r, false) : settled(r.kind, r.reason);
    default:
      // pending or failed: an earlier run may have sent it, so the writer must look before it creates.
      return {
        action: "write",
        key,
        payload: r.kind === "payload" ? r : null,
        fallback: r.kind === "payload" ? null : r,
        inDoubt: true,
        afterCutover: o.afterCutover === true,
      };
  }
}

/**
 * What a decision comes to when nothing is sent (a dry run): the state and reason it is counted under.
 * A write is counted as created, or, in doubt without a payload, as the row's own refusal.
 */
export function plannedFate(d: Decision): { state: FinalState; reason: string | null } {
  switch (d.action) {
    case "settled":
      return d;
    case "write":
      return d.payload ? { state: "created", reason: null } : settledFallback(d.fallback);
    case "revoke":
      return { state: "skipped", reason: "revoked_since_migration" };
    case "end_refresh":
      return { state: "skipped", reason: "refresh_ended_since_migration" };
    case "end_access":
      return { state: "skipped", reason: "access_ended_since_migration" };
  }
}

function settledFallback(fallback: Refusal | null): { state: FinalState; reason: string | null } {
  return fallback ? { state: fallback.kind, reason: fallback.reason } : { state: "skipped", reason: null };
}
