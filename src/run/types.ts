import type { Mapping } from "../map/index.js";
import type { ReadOptions } from "../read/index.js";
import type { RunSummary } from "../report/index.js";
import type { ConnectionSettings, WriterOptions, WriterStats } from "../write/index.js";

/** Everything a run needs, normalised once by the CLI. */
export interface MigrateConfig {
  files: readonly string[];
  mapping: Mapping;
  mappingHash: string;
  ledgerFile: string;
  dryRun: boolean;
  retryRejected: boolean;
  /**
   * The sources are a complete dump: tokens this ledger created that are no longer in it are revoked.
   * False: said explicitly not to (a source that revokes by deleting rows needs one or the other).
   */
  syncDeletions?: boolean;
  /** --sync-deletions revokes at most this many tokens; more stops before the first (default: see deletions.ts). */
  maxRevocations?: number;
  /** The rows the sources hold, as the user counted them: checked before any deletion is synced. */
  expectRows?: number;
  read: Omit<ReadOptions, "onHeader">;
  /** Planning clock override (epoch ms); the clock then advances in real time. */
  now?: number;
  /** Required unless dryRun. */
  connection?: ConnectionSettings;
  writer: Omit<WriterOptions, "clock">;
  /** Rows admitted to the ledger per transaction. */
  batchSize: number;
  /** Tokens handed to the writer and not yet finished; the reader pauses beyond it. */
  maxInFlight: number;
  /** After a stop request, in-flight calls get this long to finish before they are abandoned as pending. */
  graceMs: number;
  /** Check the target service (read-only) against what the dump will create, before any write. */
  checkService?: boolean;
  /** Writes report.json, report.html and rejects.csv there. */
  reportDir?: string;
  /** Recorded with the run (no secrets). */
  arguments: Record<string, unknown>;
  /** Aborting it stops the run gracefully (SIGINT/SIGTERM); a second abort stops at once. */
  stop?: AbortSignal;
  onProgress?: (progress: Progress) => void;
}

export interface Progress {
  /** Rows read so far (reading runs ahead of writing). */
  rows: number;
  /** Rows the sources hold, when known (a pre-scan, an earlier run): the bar's end. */
  total?: number;
  created: number;
  skipped: number;
  rejected: number;
  failed: number;
  /** Calls on the wire now (at most the concurrency). */
  inFlight: number;
  writer?: WriterStats;
  elapsedMs: number;
}

export type { RunSummary };
