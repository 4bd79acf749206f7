import type { Database, Statement } from "better-sqlite3";
import type { EntryState } from "./types.js";

/** What admission reads of an entry. */
export interface EntryRow {
  state: EntryState;
  reason: string | null;
  seen_run: number;
  refresh_hash: string | null;
  sent_hash: string;
}

type Ahead = EntryRow & { id: number; token_hash: string };
type AheadRow = [number, string, EntryState, string | null, number, string | null, string | null];

const columns =
  "rowid AS id, token_hash, state, reason, seen_run, refresh_hash, coalesce(sent_hash, token_hash) AS sent_hash";
/** Entries a read-ahead starts with, and the most it grows to while the rows keep coming in order. */
const firstReach = 16;
const maxReach = 512;

/**
 * Looks up entries by token hash, and reads ahead in the ledger's own order when the rows come in it.
 * A rerun over the same dump meets its entries in the order its first run wrote them: a range read
 * (sequential pages) costs about half of a random-key lookup (an index descent and a table fetch).
 * Read-ahead starts only after two lookups find consecutive entries (a reordered dump never pays for it),
 * and ends at the first row that is not the next entry.
 *
 * What was read ahead stays true because nothing else can change it unseen: `sync` drops it when the
 * ledger changed between batches (this connection's writes, or another connection's — a bridge), and
 * within a batch admission writes only the entry it just looked up, which the read-ahead has passed (or,
 * found by key, after the read-ahead was dropped).
 */
export class EntryReader {
  private readonly byKey: Statement;
  private readonly range: Statement;
  private readonly version: Statement;
  private ahead: Ahead[] = [];
  private pos = 0;
  /** 0: no read-ahead; else how many entries the next read takes. */
  private reach = 0;
  private after = 0;
  private lastId = -1;
  private seen: { t: number; d: number } | undefined;

  constructor(db: Database) {
    this.byKey = db.prepare(`SELECT ${columns} FROM entries WHERE token_hash = ?`);
    this.range = db
      .prepare(
        // sent_hash is the token's own hash but for a refresh-only row: only a different one is read out
        // (a text value read is ~0.4 µs of a ~2 µs row).
        "SELECT rowid, token_hash, state, reason, seen_run, refresh_hash, nullif(sent_hash, token_hash) FROM entries WHERE rowid > ? ORDER BY rowid LIMIT ?",
      )
      .raw();
    this.version = db.prepare(
      "SELECT total_changes() AS t, (SELECT data_version FROM pragma_data_version) AS d",
    );
  }

  get(key: string): EntryRow | undefined {
    if (this.reach > 0) {
      if (this.pos === this.ahead.length) this.readAhead();
      const next = this.ahead[this.pos];
      if (next !== undefined && next.token_hash === key) {
        this.pos++;
        this.lastId = next.id;
        return next;
      }
      this.drop();
    }
    const entry = this.byKey.get(key) as Ahead | undefined;
    if (entry === undefined) return undefined;
    if (entry.id === this.lastId + 1) {
      this.reach = firstReach;
      this.after = entry.id;
    }
    this.lastId = entry.id;
    return entry;
  }

  /** Before a batch: forgets what was read ahead if the ledger changed since the last batch ended. */
  sync(): void {
    const now = this.version.get() as { t: number; d: number };
    if (this.seen === undefined || now.t !== this.seen.t || now.d !== this.seen.d) this.drop();
  }

  /** After a batch: the ledger as this batch left it is what the next batch's `sync` compares with. */
  settle(): void {
    this.seen = this.version.get() as { t: number; d: number };
  }

  private readAhead(): void {
    // Rows as arrays, made into entries here: better-sqlite3's row objects cost twice as much.
    const rows = this.range.all(this.after, this.reach) as AheadRow[];
    this.ahead = rows.map(([id, token_hash, state, reason, seen_run, refresh_hash, sent_hash]) => ({
      id,
      token_hash,
      state,
      reason,
      seen_run,
      refresh_hash,
      sent_hash: sent_hash ?? token_hash,
    }));
    this.pos = 0;
    if (this.ahead.length === 0) return this.drop();
    this.after = this.ahead[this.ahead.length - 1]!.id;
    this.reach = Math.min(maxReach, this.reach * 2);
  }

  private drop(): void {
    this.ahead = [];
    this.pos = 0;
    this.reach = 0;
    this.lastId = -1;
  }
}
