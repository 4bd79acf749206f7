export { migrate } from "./migrate.js";
export type { MigrateConfig, Progress, RunSummary } from "./types.js";
export { rollback, type RollbackConfig, type RollbackSummary } from "./rollback.js";
export { verify, compare, type VerifyConfig, type VerifySummary, type MismatchKind } from "./verify.js";
export {
  shadowCompare,
  type CompareConfig,
  type CompareSummary,
  type CompareKind,
} from "./shadow-compare.js";
export type { MigratedCheck } from "./migrated-sample.js";
export { withValidKeyIds } from "./key-ids.js";
export { initMapping, type InitResult } from "./init.js";
