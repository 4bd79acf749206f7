export { connectAuthlete, type AuthleteConnection, type ConnectionSettings } from "./authlete-client.js";
export { createWriter, type WriterHandle } from "./writer.js";
export { lifetimesAt, type LifetimeRules } from "./durations.js";
export { AuthleteClock, type ClockOffset } from "./authlete-clock.js";
export type { WriteDecision, WriteOutcome, WriterOptions, WriterStats } from "./types.js";
export { checkConnection } from "./preflight.js";
export { Pacer } from "./pacer.js";
export { deleteToken, type DeleteResult } from "./delete.js";
export type { EndRefreshResult, RevokeResult } from "./types.js";
export { inspectToken, type TokenFacts } from "./inspect.js";
export {
  listServiceClients,
  readClient,
  readService,
  type ClientFacts,
  type ServiceClient,
  type ServiceFacts,
} from "./service.js";
