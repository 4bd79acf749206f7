import type { Payload, ReasonCode, Refusal } from "../map/index.js";

export type EntryState = "pending" | "created" | "skipped" | "rejected" | "failed";
export type FinalState = Exclude<EntryState, "pending">;

/** A mapped row offered to the ledger. */
export interface Candidate {
  file: string;
  rowNo: number;
  /** Where a person finds the row: its line, for the report. */
  line?: number;
  result: Payload | Refusal;
  /**
   * The caller's label of the row, never read here: a dry run hands it back with the counts of rows found
   * later to repeat a token, so the caller can correct what it counted under it.
   */
  tag?: string;
}

/** What happens to a candidate: settled at once, or handed to the writer. */
export type Decision =
  | { action: "settled"; state: FinalState; reason: ReasonCode | null }
  | {
      action: "write";
      key: string;
      /** Null when the row itself is not to be sent: the writer only finds out whether an earlier create landed. */
      payload: Payload | null;
      /** What to record if an in-doubt token turns out to be absent and there is no payload. */
      fallback: Refusal | null;
      /** An earlier run may have sent this token: introspect before creating. */
      inDoubt: boolean;
      /** Traffic has moved to Authlete: an in-doubt token found absent is never sent again. */
      afterCutover?: boolean;
    }
  /** A token this ledger created that the source has revoked since: delete it from Authlete. */
  | { action: "revoke"; key: string; identifier: string; refreshHash: string | null }
  /**
   * A token this ledger created with a refresh token the source no longer pairs with it (rotated,
   * consumed, revoked): end that refresh token at Authlete. `accessHash` is what Authlete holds.
   */
  | { action: "end_refresh"; key: string; accessHash: string; refreshHash: string }
  /**
   * A token this ledger created whose access token alone the source has revoked since (its refresh token
   * lives on): end that access token at Authlete.
   */
  | { action: "end_access"; key: string; accessHash: string; refreshHash: string | null };

/** The fate of one written token, as the ledger records it. */
export interface OutcomeRecord {
  key: string;
  state: FinalState;
  reason: ReasonCode | null;
  detail?: string;
  attempts: number;
  resultCode?: string;
  expiresAt?: number;
  /** Hash of the access token Authlete now holds, for a created token. */
  sentHash?: string;
}

export interface RunStart {
  dryRun: boolean;
  arguments: Record<string, unknown>;
  sources: { file: string; size: number; mtimeMs: number }[];
  mappingHash: string;
}

export type RunStatus = "running" | "completed" | "aborted" | "interrupted";

export interface RunRecord {
  id: number;
  startedAt: number;
  endedAt: number | null;
  dryRun: boolean;
  status: RunStatus;
  summary: unknown;
}

export interface LedgerStatus {
  runs: RunRecord[];
  states: Record<EntryState, number>;
  reasons: Record<string, number>;
  /** Entries a rerun will still work on: pending and failed. */
  left: number;
  /** "unreadable": a cutover record this tool did not write (runs and cutover refuse the ledger). */
  cutover?: CutoverRecord | "unreadable";
}

/** The moment traffic moved to Authlete, as `cutover` recorded it. */
export interface CutoverRecord {
  /** Epoch ms. */
  at: number;
  /** Recorded with --force although entries were pending or failed. */
  forced: boolean;
  /** Entries pending and failed when it was recorded. */
  pending: number;
  failed: number;
}

/** A token a run created, as a rollback sees it: hashes only. */
export interface RollbackTarget {
  tokenHash: string;
  /** Hash of the access token Authlete holds (differs from tokenHash for refresh-only rows). */
  sentHash: string;
  file: string;
  rowNo: number;
}
