// The legacy server as the tool talks to it (only for `compare`): its RFC 7662 introspection endpoint.
export { introspectAtLegacy, type LegacyFacts, type LegacyServer } from "./introspection.js";
