// The checks after a load: verify (Authlete against the dumps) and compare (Authlete against the legacy
// server), over the tokens a ledger created.
export { verify, compare, type VerifyConfig, type VerifySummary, type MismatchKind } from "./verify.js";
export {
  shadowCompare,
  type CompareConfig,
  type CompareSummary,
  type CompareKind,
} from "./shadow-compare.js";
export type { MigratedCheck } from "./migrated-sample.js";
