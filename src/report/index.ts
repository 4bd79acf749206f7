export { formatSummary } from "./format.js";
export { summarise, type RunSummary } from "./summary.js";
export { Tally, bucketOf, lifetimeBuckets, type LifetimeBucket } from "./tally.js";
