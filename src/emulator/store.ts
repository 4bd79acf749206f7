import Database from "better-sqlite3";
import { MigrateError } from "../shared/errors.js";
import { printable } from "../shared/text.js";
import type { StoredToken } from "./types.js";

/** Token storage keyed by hash: in memory by default, or a SQLite file that survives a restart. */
export interface TokenStore {
  /** Stores a token; `fromCreate` counts it as one /auth/token/create for the exactly-once proof. */
  insert(token: StoredToken, fromCreate: boolean): void;
  byAccessHash(hash: string): StoredToken | undefined;
  byRefreshHash(hash: string): StoredToken | undefined;
  deleteByAccessHash(hash: string): boolean;
  deleteWhere(serviceId: string, clientId: number | null, subject: string | null): number;
  update(token: StoredToken): void;
  list(serviceId: string, clientId: number | null, subject: string | null): StoredToken[];
  countCall(route: string): void;
  stats(): { calls: Record<string, number>; tokens: number; creates: Record<string, number> };
  all(): StoredToken[];
  close(): void;
}

/** Opens the SQLite store that keeps tokens, and their create counts, across emulator restarts. */
/** Marks a SQLite file as an emulator store ("AEMU"), so that no other file (a ledger) is written into. */
const storeApplicationId = 0x41454d55;

export function openSqliteTokenStore(file: string): TokenStore {
  const db = new Database(file);
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
  const id = db.pragma("application_id", { simple: true }) as number;
  // A file of its own: new, marked, or an earlier store (its two tables only).
  if (
    tables.length > 0 &&
    id !== storeApplicationId &&
    !tables.every((t) => ["tokens", "creates"].includes(t))
  ) {
    db.close();
    throw new MigrateError(
      "usage",
      `--store ${printable(file)} is not an emulator store (it holds other tables: a ledger?); name a new file`,
      { option: "store" },
    );
  }
  db.pragma(`application_id = ${storeApplicationId}`);
  db.pragma("journal_mode = WAL");
  // NORMAL in WAL survives the emulator process being killed, which is what --store promises.
  db.pragma("synchronous = NORMAL");
  db.exec(`
    CREATE TABLE IF NOT EXISTS tokens (
      access_hash TEXT PRIMARY KEY,
      refresh_hash TEXT UNIQUE,
      service_id TEXT NOT NULL,
      client_id INTEGER NOT NULL,
      subject TEXT,
      body TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS tokens_owner ON tokens(service_id, client_id, subject);
    CREATE TABLE IF NOT EXISTS creates (access_hash TEXT PRIMARY KEY, n INTEGER NOT NULL);
  `);
  const insertToken = db.prepare(
    "INSERT INTO tokens (access_hash, refresh_hash, service_id, client_id, subject, body) VALUES (?, ?, ?, ?, ?, ?)",
  );
  const countCreate = db.prepare(
    "INSERT INTO creates (access_hash, n) VALUES (?, 1) ON CONFLICT(access_hash) DO UPDATE SET n = n + 1",
  );
  // Call counts are diagnostics, kept in memory; create counts are the exactly-once evidence and persist.
  const calls: Record<string, number> = {};
  const byAccess = db.prepare("SELECT body FROM tokens WHERE access_hash = ?").pluck();
  const byRefresh = db.prepare("SELECT body FROM tokens WHERE refresh_hash = ?").pluck();
  const del = db.prepare("DELETE FROM tokens WHERE access_hash = ?");
  const updateStmt = db.prepare("UPDATE tokens SET refresh_hash = ?, body = ? WHERE access_hash = ?");
  const insertWithCount = db.transaction((t: StoredToken, fromCreate: boolean) => {
    insertToken.run(t.accessHash, t.refreshHash, t.serviceId, t.clientId, t.subject, JSON.stringify(t));
    if (fromCreate) countCreate.run(t.accessHash);
  });
  const parse = (body: unknown): StoredToken | undefined =>
    typeof body === "string" ? (JSON.parse(body) as StoredToken) : undefined;
  const ownerFilter = (clientId: number | null, subject: string | null): [string, unknown[]] => {
    const clauses = ["service_id = ?"];
    const args: unknown[] = [];
    if (clientId !== null) {
      clauses.push("client_id = ?");
      args.push(clientId);
    }
    if (subject !== null) {
      clauses.push("subject = ?");
      args.push(subject);
    }
    return [clauses.join(" AND "), args];
  };

  return {
    insert: (token, fromCreate) => insertWithCount(token, fromCreate),
    byAccessHash: (hash) => parse(byAccess.get(hash)),
    byRefreshHash: (hash) => parse(byRefresh.get(hash)),
    deleteByAccessHash: (hash) => del.run(hash).changes > 0,
    deleteWhere(serviceId, clientId, subject) {
      const [where, args] = ownerFilter(clientId, subject);
      return db.prepare(`DELETE FROM tokens WHERE ${where}`).run(serviceId, ...args).changes;
    },
    update: (t) => void updateStmt.run(t.refreshHash, JSON.stringify(t), t.accessHash),
    list(serviceId, clientId, subject) {
      const [where, args] = ownerFilter(clientId, subject);
      const rows = db
        .prepare(`SELECT body FROM tokens WHERE ${where} ORDER BY rowid`)
        .pluck()
        .all(serviceId, ...args);
      return rows.map((b) => JSON.parse(b as string) as StoredToken);
    },
    countCall: (route) => void (calls[route] = (calls[route] ?? 0) + 1),
    stats() {
      const creates = Object.fromEntries(
        db
          .prepare("SELECT access_hash, n FROM creates")
          .raw()
          .all()
          .map((r) => r as [string, number]),
      );
      const tokens = db.prepare("SELECT count(*) FROM tokens").pluck().get() as number;
      return { calls: { ...calls }, tokens, creates };
    },
    all: () =>
      db
        .prepare("SELECT body FROM tokens ORDER BY rowid")
        .pluck()
        .all()
        .map((b) => JSON.parse(b as string) as StoredToken),
    close: () => db.close(),
  };
}
