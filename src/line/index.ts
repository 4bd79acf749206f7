export { fetchValidKeyIds } from "./issuer-client.js";
export { generateAssertionKeyPair } from "./keygen.js";
export {
  clientAssertionType,
  lineAudience,
  lineBaseUrl,
  maxAssertionLifetimeSeconds,
  maxTokenLifetimeSeconds,
  publicKeyProblem,
} from "./rules.js";
export {
  lineIssuerOverride,
  parseLineKeyIdQuery,
  type LineKeyIdQuery,
  type LineSettingsProblem,
} from "./settings.js";
