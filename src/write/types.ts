import type { Decision, WriteOutcome } from "../ledger/types.js";
import type { AuthleteClock } from "./authlete-clock.js";
import type { LifetimeRules } from "./durations.js";
import type { EndRefreshResult, RevokeResult } from "./revoke.js";

export type WriteDecision = Extract<Decision, { action: "write" }>;

export interface WriterOptions {
  concurrency: number;
  /** Target requests per second across all calls (creates and introspections). */
  rate: number;
  /** Attempts per token before it is recorded as failed (a later run retries it). */
  maxAttempts: number;
  /** Backoff base and cap for retries, ms; full jitter is applied. */
  backoffBaseMs: number;
  backoffCapMs: number;
  /** With no successful call for this long while failures continue, the run aborts. */
  giveUpAfterMs: number;
  /** Consecutive 5xx/network failures that open the circuit (the writer pauses and probes). */
  breakerThreshold: number;
  /** This host's planning clock (ms); --now shifts it. */
  clock: () => number;
  /** Authlete's clock as the answers show it (shared with the connection, which reads Date headers). */
  authleteClock?: AuthleteClock;
  /** What the service's settings require of lifetimes (read by the service preflight). */
  rules?: LifetimeRules;
  /** The run stops when Authlete's clock is surely further than this from the host's, ms. */
  maxClockSkewMs: number;
  random?: () => number;
}

export interface WriterStats {
  calls: number;
  creates: number;
  introspections: number;
  retries: number;
  rateLimited: number;
  pauses: number;
  circuitOpenings: number;
  currentRate: number;
  /** From the first call's start to the last call's end, ms: the writing phase, for throughput. */
  activeMs: number;
  /** Created tokens whose stored expiry was corrected with /auth/token/update (later than the legacy one, or short before the clock was measured). */
  expiryCorrections: number;
  /** Created tokens Authlete gave a shorter lifetime than asked (a service setting cut it). */
  shortenedTokens: number;
}

export interface Writer {
  /** Resolves to null when the run stopped before the token's fate was known (it stays pending). */
  write(decision: WriteDecision): Promise<WriteOutcome | null>;
  readonly stats: WriterStats;
  /** Revokes a migrated token (paced like every call); "revoked" only when Authlete counted it. */
  revoke(identifier: string, refreshHash: string | null): Promise<RevokeResult | null>;
  /** Ends a migrated token's refresh token (checked), or revokes the whole token when that is not confirmed. */
  endRefresh(accessHash: string, refreshHash: string): Promise<EndRefreshResult | null>;
  /** Stop for good: calls on the wire are abandoned and every unfinished write resolves to null. */
  stop(): void;
  close(): Promise<void>;
}

export type { WriteOutcome };
