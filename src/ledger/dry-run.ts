import type { Database } from "better-sqlite3";
import type { Payload } from "../map/index.js";
import { decide, plannedFate, settled, type AdmissionRules, type KnownEntry } from "./decide.js";
import { SeenFilter } from "./seen-filter.js";
import type { Candidate, Decision, FinalState } from "./types.js";
import type { ReasonCode } from "../map/index.js";

/** Rows a dry run found to repeat a token of an earlier row, found after the fact. */
export interface DryRunDuplicates {
  count: number;
  /** What those rows had been counted as, to move them to skipped/duplicate_in_source. */
  counted: {
    state: FinalState | "created";
    reason: string | null;
    /** The lifetime bucket and client the row was counted under, as the caller gave them. */
    bucket: number | null;
    client: string | null;
    n: number;
  }[];
  first: { file: string; line: number }[];
  /** The first rows still holding each reason that lost rows to duplicates. */
  firstByReason: Record<string, { file: string; line: number }[]>;
}

/** A rejected row a dry run kept (not a repeat of an earlier row), in row order, for rejects.csv. */
export interface DryRunRejected {
  file: string;
  rowNo: number;
  line: number;
  reason: ReasonCode;
  detail?: string;
  key: string | null;
}

/** Rows a multi-row append takes. */
const appendRows = 64;
/** Values a row of dry_rows takes. */
const columns = 10;

/**
 * Dry-run admission. Nothing is recorded in the ledger: every keyed row is appended to a temp table
 * (row-order inserts, cheap), and a Bloom filter notes the few keys that may repeat an earlier row's;
 * at the end only the rows holding such keys are sorted to find the duplicates, instead of a random-key
 * lookup per row or a sort of every row. Tokens already in the ledger are looked up only if it has any entry.
 */
export function prepareDryRun(db: Database, expectedRows: number, tombstoned: (payload: Payload) => boolean) {
  // A dry run's tables go with the connection; one left by an earlier dry run on it goes here.
  db.exec(`DROP TABLE IF EXISTS temp.dry_dups; DROP TABLE IF EXISTS temp.dry_cands; DROP TABLE IF EXISTS temp.dry_rows;
    CREATE TEMP TABLE dry_rows (seq INTEGER PRIMARY KEY, access TEXT, refresh TEXT, file INTEGER NOT NULL,
      record INTEGER NOT NULL, line INTEGER NOT NULL, state TEXT NOT NULL, reason TEXT, bucket INTEGER, client TEXT, detail TEXT)`);
  const hasEntries = db.prepare("SELECT EXISTS (SELECT 1 FROM entries)").pluck().get() === 1;
  const entry = db.prepare(
    "SELECT state, reason, refresh_hash, coalesce(sent_hash, token_hash) AS sent_hash FROM entries WHERE token_hash = ?",
  );
  db.exec(`DROP TABLE IF EXISTS temp.dry_maybe;
    CREATE TEMP TABLE dry_maybe (key TEXT NOT NULL)`);
  const seen = new SeenFilter(expectedRows * 2);
  const maybe = db.prepare("INSERT INTO dry_maybe (key) VALUES (?)");
  // Rows are appended many to a statement: one statement a row was a fifth of a dry run's main thread.
  const insert = (rows: number) =>
    db.prepare(
      `INSERT INTO dry_rows (access, refresh, file, record, line, state, reason, bucket, client, detail) VALUES ${Array(rows).fill("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)").join(", ")}`,
    );
  const appendOne = insert(1);
  const appendMany = insert(appendRows);
  let appending: unknown[] = [];
  const append = (...values: unknown[]) => {
    appending.push(...values);
    if (appending.length === appendRows * columns) flush();
  };
  /** Appends the rows still held: before a batch's transaction ends, and before the duplicate search. */
  function flush(): void {
    if (appending.length === appendRows * columns) appendMany.run(appending);
    else for (let i = 0; i < appending.length; i += columns) appendOne.run(appending.slice(i, i + columns));
    appending = [];
  }
  const files: string[] = [];
  const fileIndex = (file: string) => {
    const i = files.indexOf(file);
    return i >= 0 ? i : files.push(file) - 1;
  };

  function admitOne(c: Candidate, rules: AdmissionRules): Decision {
    const r = c.result;
    // Rejected rows' details are kept so rejects.csv, written once duplicates are known, lists only
    // rows that stay rejected (keyless rows too, to keep the file in row order).
    const detail = r.kind === "rejected" ? r.detail : null;
    if (r.kind !== "payload" && r.key === null) {
      append(
        null,
        null,
        fileIndex(c.file),
        c.rowNo,
        c.line ?? c.rowNo,
        r.kind,
        r.reason,
        c.bucket ?? null,
        c.client ?? null,
        detail,
      );
      return { action: "settled", state: r.kind, reason: r.reason };
    }
    const key = r.key as string;
    const known = hasEntries ? (entry.get(key) as KnownEntry | undefined) : undefined;
    // As the live admission (admit.ts): a pair revoked through the bridge gets none of its tokens back.
    const revokedPair = r.kind === "payload" && known?.state !== "created" && tombstoned(r);
    const decision = revokedPair ? settled("skipped", "revoked_through_bridge") : decide(known, r, rules);
    if (seen.testAndAdd(key)) maybe.run(key);
    if (r.refreshHash !== null && seen.testAndAdd(r.refreshHash)) maybe.run(r.refreshHash);
    const { state, reason } = plannedFate(decision);
    append(
      key,
      r.refreshHash,
      fileIndex(c.file),
      c.rowNo,
      c.line ?? c.rowNo,
      state,
      reason,
      c.bucket ?? null,
      c.client ?? null,
      state === "rejected" ? detail : null,
    );
    return decision;
  }

  /**
   * Finds the rows that repeat an earlier row's access or refresh token, and hands the rejected rows
   * that are not such repeats to `onRejected` in row order.
   */
  function duplicates(onRejected?: (row: DryRunRejected) => void): DryRunDuplicates {
    // Every row of a repeated key holds a key the filter flagged: sort just those rows, per key.
    db.exec(`CREATE TEMP TABLE dry_cands AS SELECT seq, access, refresh FROM dry_rows
        WHERE access IN (SELECT key FROM dry_maybe) OR refresh IN (SELECT key FROM dry_maybe);
      CREATE TEMP TABLE dry_dups AS SELECT seq FROM (SELECT seq, row_number() OVER (PARTITION BY access ORDER BY seq) AS n
        FROM dry_cands WHERE access IS NOT NULL) WHERE n > 1;
      CREATE UNIQUE INDEX temp.dry_dups_seq ON dry_dups(seq);
      INSERT INTO dry_dups SELECT seq FROM (SELECT seq, row_number() OVER (PARTITION BY refresh ORDER BY seq) AS n FROM dry_cands
        WHERE refresh IS NOT NULL AND seq NOT IN (SELECT seq FROM dry_dups)) WHERE n > 1;`);
    const dup = "FROM dry_rows WHERE seq IN (SELECT seq FROM dry_dups)";
    const counted = db
      .prepare(
        `SELECT state, reason, bucket, client, count(*) AS n ${dup} GROUP BY state, reason, bucket, client`,
      )
      .all() as DryRunDuplicates["counted"];
    const first = (
      db.prepare(`SELECT file, line ${dup} ORDER BY seq LIMIT 5`).all() as { file: number; line: number }[]
    ).map((r) => ({ file: files[r.file]!, line: r.line }));
    // Rows are scanned in order and each reason's scan stops at its fifth row: cheap even for 10M rows.
    const firstOf = db.prepare(
      "SELECT file, line FROM dry_rows WHERE reason = ? AND seq NOT IN (SELECT seq FROM dry_dups) ORDER BY seq LIMIT 5",
    );
    const firstByReason: DryRunDuplicates["firstByReason"] = {};
    for (const c of counted)
      if (c.reason !== null && !(c.reason in firstByReason))
        firstByReason[c.reason] = (firstOf.all(c.reason) as { file: number; line: number }[]).map((r) => ({
          file: files[r.file]!,
          line: r.line,
        }));
    if (onRejected) {
      const kept = db.prepare(
        "SELECT file, record, line, reason, detail, access FROM dry_rows WHERE state = 'rejected' AND seq NOT IN (SELECT seq FROM dry_dups) ORDER BY seq",
      );
      for (const r of kept.iterate() as IterableIterator<{
        file: number;
        record: number;
        line: number;
        reason: string;
        detail: string | null;
        access: string | null;
      }>)
        onRejected({
          file: files[r.file]!,
          rowNo: r.record,
          line: r.line,
          reason: r.reason as ReasonCode,
          detail: r.detail ?? undefined,
          key: r.access,
        });
    }
    return { count: counted.reduce((sum, c) => sum + c.n, 0), counted, first, firstByReason };
  }

  return { admitOne, flush, duplicates };
}
