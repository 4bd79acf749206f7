export { mapRow, mapRowUnkeyed } from "./map-row.js";
export { keyResult, payloadKeys } from "./payload-keys.js";
export { mapScopes } from "./scopes.js";
export { reportedClient } from "./client.js";
export { accountedColumns, parseMapping, mappedColumns } from "./mapping.js";
export { loadMapping, presetNames, readPreset } from "./load-mapping.js";
export { fieldValue } from "./fields.js";
export { timeColumns } from "./types.js";
export type {
  ColumnName,
  Mapping,
  MapContext,
  MapResult,
  Payload,
  Refusal,
  ReasonCode,
  UnkeyedPayload,
  UnkeyedResult,
} from "./types.js";
export { jwtClaims } from "./jwt.js";
export type { NotCarried } from "./types.js";
