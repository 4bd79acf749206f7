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
