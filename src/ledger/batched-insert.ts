import type { Database } from "better-sqlite3";

/** Rows a multi-row insert takes. */
const rowsPerStatement = 64;

/**
 * Inserts into `table` many rows to a statement: one statement a row was a fifth of a dry run's main
 * thread. `flush` inserts the rows still held (before a transaction ends, before the table is read).
 */
export function batchedInsert(db: Database, table: string, columns: readonly string[]) {
  const statement = (rows: number) =>
    db.prepare(
      `INSERT INTO ${table} (${columns.join(", ")}) VALUES ${Array(rows)
        .fill(`(${columns.map(() => "?").join(", ")})`)
        .join(", ")}`,
    );
  const one = statement(1);
  const many = statement(rowsPerStatement);
  const full = rowsPerStatement * columns.length;
  let held: unknown[] = [];
  function flush(): void {
    if (held.length === full) many.run(held);
    else for (let i = 0; i < held.length; i += columns.length) one.run(held.slice(i, i + columns.length));
    held = [];
  }
  return {
    add(...values: unknown[]): void {
      held.push(...values);
      if (held.length === full) flush();
    },
    flush,
  };
}
