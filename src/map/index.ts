export { mapRow } from "./map-row.js";
export { mapScopes } from "./scopes.js";
export { reportedClient } from "./client.js";
export { parseMapping, mappedColumns } from "./mapping.js";
export { loadMapping, presetNames, readPreset } from "./load-mapping.js";
export { fieldValue } from "./fields.js";
export type { Mapping, MapContext, MapResult, Payload, Refusal, ReasonCode } from "./types.js";
export { jwtClaims } from "./jwt.js";
export type { NotCarried } from "./types.js";
