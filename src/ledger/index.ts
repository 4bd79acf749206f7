export { withLedger, withRun, type RunEnd } from "./with-run.js";
export { openLedger, type DryRunSink, type Ledger, type RowSink } from "./ledger.js";
export type { GoneToken, RejectedEntry } from "./types.js";
export type {
  Candidate,
  CutoverRecord,
  Decision,
  EntryState,
  FinalState,
  LedgerStatus,
  RunRecord,
  RunStart,
  RunStatus,
} from "./types.js";
export type { DryRunDuplicates, DryRunRejected } from "./dry-run.js";
export { decide, plannedFate, type AdmissionRules, type KnownEntry } from "./decide.js";
export type { RollbackTarget } from "./types.js";
