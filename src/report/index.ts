export { describeClock, describeCutover, formatSummary } from "./format.js";
export { summarise, type CheckVerdict, type DeletionsSummary, type RunSummary } from "./summary.js";
export {
  Tally,
  bucketOf,
  lifetimeBuckets,
  type LifetimeBucket,
  type RepeatedRows,
  type RowRef,
  type RowState,
} from "./tally.js";
export { prepareReportDir, writeReportFiles } from "./files.js";
export { RejectsFile } from "./rejects-file.js";
export { staleSource } from "./summary.js";
