import Database from "better-sqlite3";
import { MigrateError } from "../shared/errors.js";
import { admitOne, prepareAdmission, type AdmitOptions, type DryRunOptions } from "./admit.js";
import { prepareSettledAhead } from "./settled-ahead.js";
import { prepareEndings } from "./endings.js";
import { guardWrites } from "./write-failure.js";
import { prepareSubjectTombstones, prepareTombstone } from "./tombstone.js";
import { prepareDryRun, type DryRunDuplicates, type DryRunRejected } from "./dry-run.js";
import { checkLedgerFile, createLedgerFile } from "./ledger-file.js";
import { ensureSchema } from "./schema.js";
import { openRunLog, type RunLog } from "./run-log.js";
import type { Candidate, Decision, GoneToken, RejectedEntry, RollbackTarget } from "./types.js";
import type { WriteOutcome } from "../write/index.js";

/** Where a run's mapped rows go: each batch comes back decided, row for row. */
export interface RowSink {
  admit(candidates: readonly Candidate[]): Decision[];
}

/** A dry run's sink, which finds the rows repeating an earlier row's token once all are admitted. */
export interface DryRunSink extends RowSink {
  /** The repeats; the rejected rows that are not repeats go to `onRejected`, in row order. Ends the sink. */
  duplicates(onRejected?: (row: DryRunRejected) => void): DryRunDuplicates;
  /** The tokens this ledger created that no row of the dry run holds: what --sync-deletions would revoke. */
  notSeen(): GoneToken[];
}

const goneColumns =
  "token_hash AS tokenHash, coalesce(sent_hash, token_hash) AS sentHash, refresh_hash AS refreshHash, source_file AS file, coalesce(line, row_no) AS line";

/**
 * The ledger: every row's fate, so runs resume and nothing is done twice. Never holds a token value. Two
 * parts over one SQLite file: the run log (run-log.ts) and the entry store (below).
 */
export interface Ledger extends RunLog {
  readonly file: string;
  /** A live run's sink: each batch decided in one transaction, `write` entries durably pending on return. */
  liveSink(options: AdmitOptions): RowSink;
  /** A dry run's sink: decided against the ledger, nothing recorded in it; repeats are found at the end. */
  dryRunSink(options: DryRunOptions): DryRunSink;
  /** Of a batch about to be admitted, the first rows settled whatever the service says, decided without writing (settled-ahead.ts). */
  settledAhead(candidates: readonly Candidate[], rules: { retryRejected: boolean }): Decision[];
  /** Every rejected row, entries and rows without a token of their own, in row order: the record's number and its line (null in rows of older ledgers). */
  rejections(): RejectedEntry[];
  /** The state of a token's entry, if the ledger has one. */
  stateOf(tokenHash: string): string | undefined;
  /** True the first time a verify run meets this token: a token in several rows is checked once. */
  firstSighting(tokenHash: string): boolean;
  /**
   * Records what a revocation of a created token found: revoked (the source revoked or dropped it), or
   * not found in Authlete (rejected: nothing was revoked).
   */
  recordRevocation(
    runId: number,
    tokenHash: string,
    reason: "revoked_since_migration" | "deleted_in_source" | "not_found_in_authlete",
  ): void;
  /** A token revoked through the bridge: never created afterwards, by the bridge or a batch run. */
  recordTombstone(runId: number, tokenHash: string): void;
  /** A (client, subject) whose tokens were revoked through the bridge: none of its legacy tokens is created. */
  recordSubjectTombstone(runId: number, clientId: string, subject: string): void;
  /** A created token's refresh token ended at Authlete: the entry stops holding it (access token lives on). */
  recordRefreshEnded(runId: number, tokenHash: string): void;
  /** A created token's access token ended at Authlete (its refresh token lives on): not ended again. */
  recordAccessEnded(runId: number, tokenHash: string): void;
  /** Tokens this ledger created that a complete dump read by this run no longer holds, in row order. */
  createdNotSeen(runId: number): GoneToken[];
  /** How many tokens this ledger holds as created (live at Authlete as far as it knows). */
  createdCount(): number;
  /** Whether every token this ledger holds as created was created by a run over exactly these sources. */
  createdOnlyFrom(sources: readonly unknown[]): boolean;
  /** Records what verify found for one token. */
  recordVerification(runId: number, tokenHash: string, result: string, detail: string | null): void;
  /** The tokens a run (or, without one, every run) created, with the hash of what Authlete holds. */
  createdBy(runId?: number): RollbackTarget[];
  /** Records a rollback's deletion and forgets the entry, so a later run creates the token again. */
  recordRollback(target: RollbackTarget, rollbackRunId: number, result: "deleted" | "already_absent"): void;
  /** Records written tokens' outcomes in one transaction. */
  recordOutcomes(runId: number, outcomes: readonly WriteOutcome[]): void;
  /** Whether any run of this ledger created a token (stops at the first: no count over the entries). */
  hasCreated(): boolean;
  close(): void;
}

/** Opens (creating with mode 0600) a ledger file. */
export function openLedger(file: string): Ledger {
  let db: Database.Database;
  try {
    checkLedgerFile(file);
    createLedgerFile(file);
    db = new Database(file);
    db.pragma("journal_mode = WAL");
    // FULL: a pending entry must survive power loss before its create is sent.
    db.pragma("synchronous = FULL");
    db.pragma("busy_timeout = 5000");
    // Temp tables (a dry run's rejected rows and duplicate candidates) on disk: memory stays flat whatever the dump.
    db.pragma("temp_store = FILE");
    // 32 MiB of page cache: lookups by a random hash key touch the whole index; bounded, so memory stays flat.
    db.pragma("cache_size = -32768");
    ensureSchema(db, file);
  } catch (error) {
    if (error instanceof MigrateError) throw error;
    throw new MigrateError(
      "ledger_invalid",
      `${file}: cannot be opened as a ledger (${(error as Error).message})`,
      { file, cause: error },
    );
  }
  const admission = prepareAdmission(db);
  const record = db.prepare(`UPDATE entries SET state = @state, reason = @reason, detail = @detail,
    attempts = attempts + @attempts, result_code = @resultCode, expires_at = @expiresAt, sent_hash = coalesce(@sentHash, sent_hash), run_id = @runId,
    updated_at = @now WHERE token_hash = @key`);
  let sight: Database.Statement | undefined;
  /** The open dry run, whose row file is closed with the ledger or when the next dry run starts. */
  let dryRun: ReturnType<typeof prepareDryRun> | undefined;
  // Prepared once: verify, compare and rollback look up every source row.
  const stateOf = db.prepare("SELECT state FROM entries WHERE token_hash = ?").pluck();
  const subjects = prepareSubjectTombstones(db);
  const admitLive = db.transaction((candidates: readonly Candidate[], options: AdmitOptions) => {
    // Read per batch: a bridge records tombstones while it serves.
    const tombstoned = subjects.checker();
    admission.entries.sync();
    const decisions = candidates.map((c) => admitOne(admission, c, options, tombstoned));
    admission.entries.settle();
    return decisions;
  });
  const recordBatch = db.transaction((runId: number, outcomes: readonly WriteOutcome[]) => {
    const now = Date.now();
    for (const o of outcomes) {
      record.run({
        key: o.key,
        state: o.state,
        reason: o.reason,
        detail: o.detail ?? null,
        attempts: o.attempts,
        resultCode: o.resultCode ?? null,
        expiresAt: o.expiresAt ?? null,
        sentHash: o.sentHash ?? null,
        runId,
        now,
      });
    }
  });

  const { releaseLocks, ...runLog } = openRunLog(db, file);
  return guardWrites(file, {
    file,
    ...runLog,
    // The sinks write too: a full disk under them is the same coded error as under any other method.
    liveSink: (options) =>
      guardWrites(file, {
        admit: (candidates: readonly Candidate[]) => admitLive.immediate(candidates, options),
      }),
    dryRunSink(options) {
      dryRun?.close();
      const dry = (dryRun = prepareDryRun(db, options.expectedRows ?? 0, subjects.checker()));
      const decide = db.transaction((candidates: readonly Candidate[]) => {
        dry.start();
        const decisions = candidates.map((c) => dry.admitOne(c, options));
        dry.flush();
        return decisions;
      });
      return guardWrites(file, {
        admit: (candidates: readonly Candidate[]) => decide.immediate(candidates),
        duplicates: (onRejected?: (row: DryRunRejected) => void) => dry.duplicates(onRejected),
        notSeen: () => {
          dry.listAccesses();
          return db
            .prepare(
              `SELECT ${goneColumns} FROM entries WHERE state = 'created' AND token_hash NOT IN (SELECT key FROM temp.dry_access) ORDER BY source_file, row_no`,
            )
            .all() as GoneToken[];
        },
      });
    },
    settledAhead: prepareSettledAhead(db, () => subjects.checker()),
    ...prepareEndings(db),
    recordTombstone: prepareTombstone(db),
    recordSubjectTombstone: (runId, clientId, subject) => subjects.record(runId, clientId, subject),
    createdNotSeen: (runId) =>
      db
        .prepare(
          `SELECT ${goneColumns} FROM entries WHERE state = 'created' AND seen_run < ? ORDER BY source_file, row_no`,
        )
        .all(runId) as GoneToken[],
    createdOnlyFrom: (sources) =>
      db
        .prepare(
          "SELECT 1 FROM entries e JOIN runs r ON r.id = e.run_id WHERE e.state = 'created' AND r.sources IS NOT ? LIMIT 1",
        )
        .get(JSON.stringify(sources)) === undefined,
    createdCount: () =>
      db.prepare("SELECT count(*) FROM entries WHERE state = 'created'").pluck().get() as number,
    rejections: () =>
      db
        .prepare(
          `SELECT source_file AS file, row_no AS rowNo, line, reason, detail, token_hash AS key FROM entries WHERE state = 'rejected'
          UNION ALL SELECT source_file, row_no, line, reason, detail, token_hash FROM row_notes WHERE state = 'rejected' ORDER BY 1, 2`,
        )
        .all() as RejectedEntry[],
    firstSighting(hash) {
      // The table and its statement are made once per ledger handle: verify calls this for every row.
      if (!sight) {
        db.exec("CREATE TEMP TABLE IF NOT EXISTS sighted (key TEXT PRIMARY KEY) WITHOUT ROWID");
        sight = db.prepare("INSERT OR IGNORE INTO temp.sighted (key) VALUES (?)");
      }
      return sight.run(hash).changes === 1;
    },
    stateOf: (hash) => stateOf.get(hash) as string | undefined,
    recordVerification(runId, hash, result, detail) {
      db.prepare(
        "INSERT INTO verifications (run_id, token_hash, result, detail, at) VALUES (?, ?, ?, ?, ?)",
      ).run(runId, hash, result, detail, Date.now());
    },
    createdBy: (runId) =>
      db
        .prepare(
          `SELECT token_hash AS tokenHash, coalesce(sent_hash, token_hash) AS sentHash, source_file AS file,
          row_no AS rowNo FROM entries WHERE state = 'created' AND (? IS NULL OR run_id = ?) ORDER BY rowid`,
        )
        .all(runId ?? null, runId ?? null) as RollbackTarget[],
    recordRollback: db.transaction((t: RollbackTarget, rollbackRunId: number, result: string) => {
      db.prepare(
        "INSERT INTO rollbacks (token_hash, sent_hash, run_id, source_file, row_no, result, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
      ).run(t.tokenHash, t.sentHash, rollbackRunId, t.file, t.rowNo, result, Date.now());
      db.prepare("DELETE FROM entries WHERE token_hash = ? AND state = 'created'").run(t.tokenHash);
    }),
    recordOutcomes: (runId, outcomes) => {
      if (outcomes.length > 0) recordBatch.immediate(runId, outcomes);
    },
    hasCreated: () =>
      db.prepare("SELECT EXISTS (SELECT 1 FROM entries WHERE state = 'created')").pluck().get() === 1,
    close: () => {
      releaseLocks();
      dryRun?.close();
      db.close();
    },
  } satisfies Ledger);
}
