export { migrate } from "./migrate.js";
export type { MigrateConfig, Progress, RunSummary } from "./types.js";
