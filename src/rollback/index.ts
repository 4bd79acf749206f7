// rollback: deletes from Authlete exactly the tokens a run (or every run) of a ledger created.
export { rollback, type RollbackConfig, type RollbackSummary } from "./rollback.js";
