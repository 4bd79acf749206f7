import type { Payload, ReasonCode, Refusal } from "../map/index.js";
import type { WriteDecision } from "../write/index.js";

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
   * What the caller counted the row under (its lifetime bucket, its client), never read here: a dry run
   * hands them back with the counts of rows found later to repeat a token, to correct what was counted.
   */
  bucket?: number;
  client?: string;
}

/** What happens to a candidate: settled at once, or handed to the writer. */
export type Decision =
  | { action: "settled"; state: FinalState; reason: ReasonCode | null }
  | ({ action: "write" } & WriteDecision)
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

/** A token this ledger created that a run's sources no longer hold, with the row it came from. */
export interface GoneToken {
  tokenHash: string;
  sentHash: string;
  refreshHash: string | null;
  file: string;
  line: number;
}

/** A rejected row as the ledger holds it. */
export interface RejectedEntry {
  file: string;
  rowNo: number;
  line: number | null;
  reason: string;
  detail: string | null;
  key: string | null;
}
