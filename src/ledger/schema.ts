import BetterSqlite, { type Database } from "better-sqlite3";
import { MigrateError } from "../shared/errors.js";

const schemaVersion = "1";
/** SQLite's application_id of an authlete-migrate ledger ("AMLG"): another program's file is told apart. */
export const applicationId = 0x414d4c47;

/** A ledger's tables and indexes. */
const tables = `
    CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS runs (
      id INTEGER PRIMARY KEY,
      started_at INTEGER NOT NULL,
      ended_at INTEGER,
      dry_run INTEGER NOT NULL,
      status TEXT NOT NULL,
      arguments TEXT NOT NULL,
      sources TEXT NOT NULL,
      mapping_hash TEXT NOT NULL,
      summary TEXT,
      pid INTEGER NOT NULL,
      host TEXT NOT NULL
    );
    -- One entry per token, keyed by base64url(SHA-256(access token)); never a token value.
    CREATE TABLE IF NOT EXISTS entries (
      token_hash TEXT PRIMARY KEY,
      refresh_hash TEXT,
      source_file TEXT NOT NULL,
      row_no INTEGER NOT NULL,
      line INTEGER,
      state TEXT NOT NULL CHECK (state IN ('pending', 'created', 'skipped', 'rejected', 'failed')),
      reason TEXT,
      detail TEXT,
      column_name TEXT,
      legacy_client TEXT,
      attempts INTEGER NOT NULL DEFAULT 0,
      result_code TEXT,
      expires_at INTEGER,
      -- Hash of the access token Authlete holds (the probe token of a refresh-only row): what rollback deletes.
      sent_hash TEXT,
      run_id INTEGER NOT NULL,
      seen_run INTEGER NOT NULL,
      updated_at INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS entries_refresh ON entries(refresh_hash) WHERE refresh_hash IS NOT NULL;
    CREATE INDEX IF NOT EXISTS entries_state ON entries(state);
    -- Rows that own no entry: no usable token, or a later duplicate of a token already read.
    -- Tokens a rollback deleted from Authlete, for the record; their entries are removed so a later run creates them again.
    CREATE TABLE IF NOT EXISTS rollbacks (
      token_hash TEXT NOT NULL,
      sent_hash TEXT NOT NULL,
      run_id INTEGER NOT NULL,
      source_file TEXT NOT NULL,
      row_no INTEGER NOT NULL,
      result TEXT NOT NULL,
      at INTEGER NOT NULL
    );
    -- What verify found for each token it introspected.
    CREATE TABLE IF NOT EXISTS verifications (
      run_id INTEGER NOT NULL,
      token_hash TEXT NOT NULL,
      result TEXT NOT NULL,
      detail TEXT,
      at INTEGER NOT NULL
    );
    -- (client, subject) pairs whose tokens were revoked through the bridge: no legacy token of theirs is created.
    CREATE TABLE IF NOT EXISTS subject_tombstones (
      client_id TEXT NOT NULL,
      subject TEXT NOT NULL,
      run_id INTEGER NOT NULL,
      at INTEGER NOT NULL,
      PRIMARY KEY (client_id, subject)
    );
    CREATE TABLE IF NOT EXISTS row_notes (
      run_id INTEGER NOT NULL,
      source_file TEXT NOT NULL,
      row_no INTEGER NOT NULL,
      line INTEGER,
      state TEXT NOT NULL,
      reason TEXT NOT NULL,
      detail TEXT,
      column_name TEXT,
      token_hash TEXT
    );
`;

/**
 * Whether a file holds only a ledger's tables and indexes, exactly as this version creates them, all
 * empty: a ledger whose creation a kill interrupted (earlier versions created it a table at a time).
 * Compared with the same statements run on an empty database, so another program's tables never match.
 */
export function isInterruptedCreation(db: Database): boolean {
  const reference = new BetterSqlite(":memory:");
  try {
    reference.exec(tables);
    const objects = (d: Database) =>
      d.prepare("SELECT type, name, sql FROM sqlite_master ORDER BY name").all() as {
        type: string;
        name: string;
        sql: string | null;
      }[];
    const ours = new Map(objects(reference).map((o) => [o.name, o]));
    return objects(db).every((o) => {
      const same = ours.get(o.name);
      if (!same || same.type !== o.type || same.sql !== o.sql) return false;
      return (
        o.type !== "table" || db.prepare(`SELECT EXISTS (SELECT 1 FROM "${o.name}")`).pluck().get() === 0
      );
    });
  } finally {
    reference.close();
  }
}

/** Creates the tables of a new ledger, or checks an existing one is ours and of this version. */
export function ensureSchema(db: Database, file: string): void {
  // A ledger of this version is only read: no write lock, so `status` never waits behind a live run.
  if (isCurrent(db)) return;
  // One transaction: a process killed while creating a ledger leaves no half-made file behind.
  db.transaction(() => createOrCheck(db, file)).immediate();
}

function isCurrent(db: Database): boolean {
  try {
    return (
      db.pragma("application_id", { simple: true }) === applicationId &&
      db.prepare("SELECT value FROM meta WHERE key = 'schema'").pluck().get() === schemaVersion &&
      ["entries", "row_notes"].every((table) => hasLine(db, table))
    );
  } catch {
    return false; // no meta table yet
  }
}

const hasLine = (db: Database, table: string) =>
  (db.prepare(`SELECT name FROM pragma_table_info('${table}')`).pluck().all() as string[]).includes("line");

function createOrCheck(db: Database, file: string): void {
  db.exec(tables);
  // row_no is the record's number, line where a person finds it (they differ after quoted line breaks);
  // ledgers made before the line was kept get the column, empty for their rows.
  for (const table of ["entries", "row_notes"])
    if (!hasLine(db, table)) db.exec(`ALTER TABLE ${table} ADD COLUMN line INTEGER`);
  const version = db.prepare("SELECT value FROM meta WHERE key = 'schema'").pluck().get() as
    string | undefined;
  if (version === undefined) {
    db.prepare("INSERT INTO meta (key, value) VALUES ('schema', ?)").run(schemaVersion);
    db.pragma(`application_id = ${applicationId}`);
  } else if (version !== schemaVersion) {
    throw new MigrateError(
      "ledger_invalid",
      `${file}: ledger schema ${version} is not supported (expected ${schemaVersion})`,
      { file },
    );
  }
}
