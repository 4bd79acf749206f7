// The legacy server as the tool talks to it (compare, the bridge): RFC 7662 introspection, RFC 7009 revocation.
export { introspectAtLegacy, type LegacyFacts, type LegacyServer } from "./introspection.js";
export { revokeAtLegacy } from "./revocation.js";
