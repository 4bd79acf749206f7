import type { Payload, ReasonCode, Refusal } from "../map/index.js";
import type { AuthleteClock } from "./authlete-clock.js";
import type { LifetimeRules } from "./durations.js";

/** What a revocation of a migrated token found: "revoked" only when Authlete counted it. */
export type RevokeResult = "revoked" | "not_found" | "failed";
/** What ending one token of a pair found: ended (checked), or, not confirmed, what revoking all found. */
export type EndRefreshResult = "ended" | RevokeResult;

/** One token for the writer: the payload to create, or, in doubt, only the question whether it landed. */
export interface WriteDecision {
  key: string;
  /** Null when the row itself is not to be sent: the writer only finds out whether an earlier create landed. */
  payload: Payload | null;
  /** What to answer if an in-doubt token turns out to be absent and there is no payload. */
  fallback: Refusal | null;
  /** An earlier run may have sent this token: introspect before creating. */
  inDoubt: boolean;
  /** Traffic has moved to Authlete: an in-doubt token found absent is never sent again. */
  afterCutover?: boolean;
}

/** The fate of one written token, as the writer reports it. */
export interface WriteOutcome {
  key: string;
  state: "created" | "skipped" | "rejected" | "failed";
  reason: ReasonCode | null;
  detail?: string;
  attempts: number;
  resultCode?: string;
  expiresAt?: number;
  /** Hash of the access token Authlete now holds, for a created token. */
  sentHash?: string;
}

export interface WriterOptions {
  concurrency: number;
  /** Threads that make the SDK calls; 0 makes them on the main thread. */
  writers?: number;
  /** Calls made on the main thread before the writer threads start (unset: they start with the first). */
  threadsAfterCalls?: number;
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
  /** Calls on the wire right now: never more than the concurrency (queued writes are not counted). */
  readonly inFlight: number;
  /** Revokes a migrated token (paced like every call); "revoked" only when Authlete counted it. */
  revoke(identifier: string, refreshHash: string | null): Promise<RevokeResult | null>;
  /**
   * Ends one token of a migrated pair, the refresh token or the access token (checked), or revokes the
   * whole token when that is not confirmed.
   */
  endOne(
    part: "access" | "refresh",
    accessHash: string,
    refreshHash: string | null,
  ): Promise<EndRefreshResult | null>;
  /** Stop for good: calls on the wire are abandoned and every unfinished write resolves to null. */
  stop(): void;
  close(): Promise<void>;
}
