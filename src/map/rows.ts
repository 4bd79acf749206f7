// The row mapper alone, for the reading thread (rows/map-on-reader.ts): the map stage's index also
// exports the mapping file's loader, whose schema pulls zod (~0.9 MB of the bundle) into every thread
// that imports it; a thread that only maps rows compiles without it (the lint rule in eslint.config.js
// names this one second door).
export { mapRowUnkeyed } from "./map-row.js";
export { reportedClient } from "./client.js";
export { keyResult, payloadKeys } from "./payload-keys.js";
export type { Mapping, MapResult, UnkeyedPayload } from "./types.js";
