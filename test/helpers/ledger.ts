import Database from "better-sqlite3";
import { openLedger } from "../../src/ledger/index.js";
import type { LedgerStatus } from "../../src/ledger/types.js";

/** What the ledger file says, read through the project's own ledger. */
export function ledgerStatus(file: string): LedgerStatus {
  const ledger = openLedger(file);
  try {
    return ledger.status();
  } finally {
    ledger.close();
  }
}

/** Every row's recorded fate, by row number, read from the ledger file itself. */
export function rowFates(ledger: string): Record<number, string> {
  const db = new Database(ledger, { readonly: true });
  try {
    const rows = db
      .prepare(
        "SELECT row_no, state, reason FROM entries UNION ALL SELECT row_no, state, reason FROM row_notes",
      )
      .all() as { row_no: number; state: string; reason: string | null }[];
    return Object.fromEntries(rows.map((r) => [r.row_no, r.reason ? `${r.state}:${r.reason}` : r.state]));
  } finally {
    db.close();
  }
}
