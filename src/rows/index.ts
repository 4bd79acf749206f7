// The rows of a dump as every command sees them: read, mapped (on a reading thread for a run), placed.
export { mappedBatches, mappedRows, readingAhead, type RowsReading } from "./mapped-rows.js";
export type { MappedRow, MappedSource, PlanningTime, RowPlace } from "./types.js";
export { checkHeader, describeSources, estimatedRows } from "./sources.js";
export { withValidKeyIds } from "./key-ids.js";
