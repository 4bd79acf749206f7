import type { MigrateError } from "../shared/errors.js";
import type { AuthleteClock } from "./authlete-clock.js";
import type { LifetimeRules } from "./durations.js";
import type { ServiceHealth } from "./health.js";
import type { Pacer } from "./pacer.js";
import type { TokenCalls } from "./token-calls.js";
import type { WriterOptions, WriterStats } from "./types.js";

/** What every call of the writer shares. */
export interface TokenWriterContext {
  /** Where the calls are made: this thread, or the writer threads. */
  calls: TokenCalls;
  options: WriterOptions;
  pacer: Pacer;
  health: ServiceHealth;
  stats: WriterStats;
  /** Authlete's clock as the answers show it: lifetimes are counted from it. */
  clock: AuthleteClock;
  rules: LifetimeRules;
  /** Set on the first fatal condition; every writer stops at its next step. */
  abort(error: MigrateError): void;
  aborted(): boolean;
}
