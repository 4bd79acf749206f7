// init: a first mapping and a clients.csv template for a dump (a preset it recognises, or columns by
// name and value, failing closed).
export { initMapping, type InitResult } from "./init.js";
export type { ColumnKind, Proposal } from "./types.js";
