export { mapRow } from "./map-row.js";
export { reportedClient } from "./client.js";
export { loadMapping, parseMapping, mappedColumns } from "./mapping.js";
export type { Mapping, MapContext, MapResult, Payload, Refusal, ReasonCode } from "./types.js";
