export { formatSummary } from "./format.js";
export { summarise, type RunSummary } from "./summary.js";
export { Tally, lifetimeBuckets, type LifetimeBucket } from "./tally.js";
