// The batch run: a dump's rows, each settled, counted and reported (migrate.ts).
export { migrate } from "./migrate.js";
export type { MigrateConfig, Progress, RunSummary } from "./types.js";
export { revocationCap, revocationFloor, revocationShare } from "./deletions.js";
