import type { Database } from "better-sqlite3";
import type { Payload } from "../map/index.js";
import { decide, plannedFate, settled, type AdmissionRules } from "./decide.js";
import { batchedInsert } from "./batched-insert.js";
import { EntryReader } from "./entry-reader.js";
import { DryRows, hasKey, keyAt, refreshSlot, slotHash } from "./dry-rows.js";
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

/** Bits of the map of keys the filter called "maybe seen": 2 MiB. */
const maybeBits = 1 << 24;

/**
 * Dry-run admission. Nothing is recorded in the ledger: every row is appended as a fixed-size record
 * (dry-rows.ts: in memory, then a temp file), and a Bloom filter notes the few keys that may repeat an
 * earlier row's; at the end only the rows holding such keys go to a temp table, sorted per key to find the
 * duplicates, instead of a random-key lookup per row or a sort of every row. Tokens already in the
 * ledger are looked up only if it has any entry.
 */
export function prepareDryRun(db: Database, expectedRows: number, tombstoned: (payload: Payload) => boolean) {
  // A dry run's tables go with the connection; one left by an earlier dry run on it goes here.
  db.exec(`DROP TABLE IF EXISTS temp.dry_dups; DROP TABLE IF EXISTS temp.dry_cands;
    DROP TABLE IF EXISTS temp.dry_rejects; DROP TABLE IF EXISTS temp.dry_access;
    CREATE TEMP TABLE dry_rejects (seq INTEGER PRIMARY KEY, file INTEGER NOT NULL, record INTEGER NOT NULL,
      line INTEGER NOT NULL, reason TEXT, detail TEXT, access TEXT)`);
  const hasEntries = db.prepare("SELECT EXISTS (SELECT 1 FROM entries)").pluck().get() === 1;
  const entries = new EntryReader(db);
  const rows = new DryRows();
  const seen = new SeenFilter(expectedRows * 2);
  // The keys the filter flagged, by a hash of their record's bytes: a superset of the repeated keys,
  // found again in the records at the end without a string per row.
  const maybe = new Int32Array(maybeBits / 32);
  const flag = (hash: number) => {
    const bit = hash & (maybeBits - 1);
    maybe[bit >>> 5]! |= 1 << (bit & 31);
  };
  const flagged = (bytes: Buffer, at: number) => {
    if (!hasKey(bytes, at)) return false;
    const bit = slotHash(bytes, at) & (maybeBits - 1);
    return (maybe[bit >>> 5]! & (1 << (bit & 31))) !== 0;
  };
  const rejects = batchedInsert(db, "dry_rejects", "seq file record line reason detail access".split(" "));
  const files: string[] = [];
  const fileIndex = (file: string) => {
    const i = files.indexOf(file);
    return i >= 0 ? i : files.push(file) - 1;
  };

  /** Appends a row's record (and a rejected row's details, for rejects.csv); returns the record's offset. */
  function append(
    c: Candidate,
    access: string | null,
    refresh: string | null,
    state: string,
    reason: string | null,
    detail: string | null,
  ): number {
    const seq = rows.count;
    const file = fileIndex(c.file);
    const line = c.line ?? c.rowNo;
    const at = rows.append(access, refresh, file, line, state, reason, c.bucket ?? null, c.client ?? null);
    if (state === "rejected") rejects.add(seq, file, c.rowNo, line, reason, detail, access);
    return at;
  }

  function admitOne(c: Candidate, rules: AdmissionRules): Decision {
    const r = c.result;
    // Rejected rows' details are kept so rejects.csv, written once duplicates are known, lists only
    // rows that stay rejected (keyless rows too, to keep the file in row order).
    const detail = r.kind === "rejected" ? r.detail : null;
    if (r.kind !== "payload" && r.key === null) {
      append(c, null, null, r.kind, r.reason, detail);
      return { action: "settled", state: r.kind, reason: r.reason };
    }
    const key = r.key as string;
    const known = hasEntries ? entries.get(key) : undefined;
    // As the live admission (admit.ts): a pair revoked through the bridge gets none of its tokens back.
    const revokedPair = r.kind === "payload" && known?.state !== "created" && tombstoned(r);
    const decision = revokedPair ? settled("skipped", "revoked_through_bridge") : decide(known, r, rules);
    const { state, reason } = plannedFate(decision);
    const at = append(c, key, r.refreshHash, state, reason, state === "rejected" ? detail : null);
    // The record is still in the file's buffer: its keys are flagged from its bytes before the next append.
    if (seen.testAndAdd(key)) flag(rows.keyHash(at));
    if (r.refreshHash !== null && seen.testAndAdd(r.refreshHash)) flag(rows.keyHash(at + refreshSlot));
    return decision;
  }

  /**
   * Finds the rows that repeat an earlier row's access or refresh token, and hands the rejected rows
   * that are not such repeats to `onRejected` in row order.
   */
  function duplicates(onRejected?: (row: DryRunRejected) => void): DryRunDuplicates {
    // Every row of a repeated key holds a flagged key: sort just those rows, per key.
    db.exec(`CREATE TEMP TABLE dry_cands (seq INTEGER PRIMARY KEY, access TEXT, refresh TEXT, file INTEGER NOT NULL,
      line INTEGER NOT NULL, state TEXT NOT NULL, reason TEXT, bucket INTEGER, client TEXT)`);
    const cands = batchedInsert(
      db,
      "dry_cands",
      "seq access refresh file line state reason bucket client".split(" "),
    );
    db.transaction(() => {
      rows.scan((view, seq) => {
        if (!flagged(view.bytes, view.at) && !flagged(view.bytes, view.at + refreshSlot)) return;
        const r = rows.row(view);
        cands.add(seq, r.access, r.refresh, r.file, r.line, r.state, r.reason, r.bucket, r.client);
      });
      cands.flush();
    })();
    db.exec(`CREATE TEMP TABLE dry_dups AS SELECT seq FROM (SELECT seq, row_number() OVER (PARTITION BY access ORDER BY seq) AS n
        FROM dry_cands WHERE access IS NOT NULL) WHERE n > 1;
      CREATE UNIQUE INDEX temp.dry_dups_seq ON dry_dups(seq);
      INSERT INTO dry_dups SELECT seq FROM (SELECT seq, row_number() OVER (PARTITION BY refresh ORDER BY seq) AS n FROM dry_cands
        WHERE refresh IS NOT NULL AND seq NOT IN (SELECT seq FROM dry_dups)) WHERE n > 1;`);
    const dup = "FROM dry_cands WHERE seq IN (SELECT seq FROM dry_dups)";
    const counted = db
      .prepare(
        `SELECT state, reason, bucket, client, count(*) AS n ${dup} GROUP BY state, reason, bucket, client`,
      )
      .all() as DryRunDuplicates["counted"];
    const first = (
      db.prepare(`SELECT file, line ${dup} ORDER BY seq LIMIT 5`).all() as { file: number; line: number }[]
    ).map((r) => ({ file: files[r.file]!, line: r.line }));
    const firstByReason = firstRowsByReason(counted.map((c) => c.reason).filter((r) => r !== null));
    if (onRejected) {
      const kept = db.prepare(
        "SELECT file, record, line, reason, detail, access FROM dry_rejects WHERE seq NOT IN (SELECT seq FROM dry_dups) ORDER BY seq",
      );
      for (const r of kept.iterate() as IterableIterator<RejectRow>)
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

  /** The first five rows of each reason that are not repeats: one scan, which stops once all are found. */
  function firstRowsByReason(reasons: string[]): DryRunDuplicates["firstByReason"] {
    const found: DryRunDuplicates["firstByReason"] = {};
    const wanted = new Map<number, { file: string; line: number }[]>();
    for (const reason of reasons) {
      const code = rows.codeOf(reason);
      if (code !== undefined && !wanted.has(code)) wanted.set(code, (found[reason] = []));
    }
    let open = wanted.size;
    if (open === 0) return found;
    // The repeats, in row order, walked alongside the records.
    const dups = db
      .prepare("SELECT seq FROM dry_dups ORDER BY seq")
      .pluck()
      .iterate() as IterableIterator<number>;
    let nextDup = dups.next();
    try {
      rows.scan((view, seq) => {
        const list = wanted.get(rows.reasonCode(view));
        if (list === undefined || list.length === 5) return;
        while (!nextDup.done && nextDup.value < seq) nextDup = dups.next();
        if (!nextDup.done && nextDup.value === seq) return;
        const r = rows.row(view);
        list.push({ file: files[r.file]!, line: r.line });
        if (list.length === 5) return --open > 0;
      });
    } finally {
      dups.return?.();
    }
    return found;
  }

  /**
   * Fills `temp.dry_access` with the access keys of every row of this dry run: what a query for the
   * created tokens no row holds (--sync-deletions) compares with.
   */
  function listAccesses(): void {
    db.exec("DROP TABLE IF EXISTS temp.dry_access; CREATE TEMP TABLE dry_access (key TEXT NOT NULL)");
    const accesses = batchedInsert(db, "dry_access", ["key"]);
    db.transaction(() => {
      rows.scan(({ bytes, at }) => {
        if (hasKey(bytes, at)) accesses.add(keyAt(bytes, at));
      });
      accesses.flush();
    })();
  }

  return {
    /** Before a batch: what the ledger lookups read ahead is dropped if a bridge changed the ledger since. */
    start: () => hasEntries && entries.sync(),
    admitOne,
    /** Before a batch's transaction ends: the rejected rows still held are inserted. */
    flush: () => {
      rejects.flush();
      if (hasEntries) entries.settle();
    },
    duplicates,
    listAccesses,
    close: () => rows.close(),
  };
}

interface RejectRow {
  file: number;
  record: number;
  line: number;
  reason: string;
  detail: string | null;
  access: string | null;
}
