export { migrate } from "./migrate.js";
export type { MigrateConfig, Progress, RunSummary } from "./types.js";
export { withValidKeyIds } from "./key-ids.js";
// For the stages built on a run's reading (init, the checks, rollback): one way to read and map rows.
export { mappedRows } from "./mapped-rows.js";
export { checkHeader } from "./sources.js";
