export { describeClock, describeCutover, formatSummary } from "./format.js";
export { summarise, type CheckVerdict, type RunSummary } from "./summary.js";
export { Tally, bucketOf, lifetimeBuckets, type LifetimeBucket } from "./tally.js";
export { prepareReportDir, writeReportFiles } from "./files.js";
export { RejectsFile } from "./rejects-file.js";
