import type { Decision, WriteOutcome } from "../ledger/types.js";

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
  /** The clock durations are computed against (ms); --now shifts it. */
  clock: () => number;
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
}

export interface Writer {
  /** Resolves to null when the run stopped before the token's fate was known (it stays pending). */
  write(decision: WriteDecision): Promise<WriteOutcome | null>;
  readonly stats: WriterStats;
  /** Deletes a token from Authlete (paced like every call); "revoked" when it is gone, already or now. */
  revoke(identifier: string): Promise<"revoked" | "failed" | null>;
  /** Stop for good: calls on the wire are abandoned and every unfinished write resolves to null. */
  stop(): void;
  close(): Promise<void>;
}

export type { WriteOutcome };
