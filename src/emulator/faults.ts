import type { FaultOptions } from "./types.js";

/** mulberry32: a tiny seeded PRNG, so a fault run can be replayed with the same --fault-seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type FaultDecision =
  | { kind: "reset" }
  | { kind: "rate-limited"; retryAfterSeconds: number }
  | { kind: "error"; status: 500 | 502 | 503 }
  | { kind: "process"; lostResponse: boolean; commitThenError?: 500 | 502 | 503 };

/** How many of each fault the emulator has played, for the inspection route. */
export interface FaultCounts {
  reset: number;
  rateLimited: number;
  error: number;
  lostResponse: number;
  commitThenError: number;
}

/** Decides, per request, which fault (if any) the emulator plays. */
export class FaultPlan {
  readonly played: FaultCounts = {
    reset: 0,
    rateLimited: 0,
    error: 0,
    lostResponse: 0,
    commitThenError: 0,
  };
  private readonly random: () => number;
  private tokens: number;
  private refilledAt: number;

  constructor(
    readonly options: FaultOptions,
    private readonly clock: () => number = Date.now,
  ) {
    this.random = seededRandom(options.seed);
    this.tokens = this.burst;
    this.refilledAt = clock();
  }

  private get burst(): number {
    return Math.max(1, this.options.rateLimitBurst || this.options.rateLimit);
  }

  /** Latency to add before answering, in ms. */
  delayMs(): number {
    const { latencyMs, jitterMs, slowRate, slowMs } = this.options;
    let delay = latencyMs + (jitterMs > 0 ? this.random() * jitterMs : 0);
    if (slowRate > 0 && this.random() < slowRate) delay += slowMs;
    return delay;
  }

  decide(mutating: boolean): FaultDecision {
    const decision = this.draw(mutating);
    if (decision.kind === "process") {
      if (decision.lostResponse) this.played.lostResponse++;
      if (decision.commitThenError) this.played.commitThenError++;
    } else this.played[decision.kind === "rate-limited" ? "rateLimited" : decision.kind]++;
    return decision;
  }

  private draw(mutating: boolean): FaultDecision {
    const o = this.options;
    if (o.resetRate > 0 && this.random() < o.resetRate) return { kind: "reset" };
    if (o.rateLimit > 0 && !this.takeToken()) {
      const wait = (1 - this.tokens) / o.rateLimit;
      return { kind: "rate-limited", retryAfterSeconds: Math.max(1, Math.ceil(wait)) };
    }
    if (o.errorRate > 0 && this.random() < o.errorRate) return { kind: "error", status: this.serverError() };
    const lostResponse = mutating && o.lostResponseRate > 0 && this.random() < o.lostResponseRate;
    // The change is committed, then the answer is a 5xx: a client must not read it as "not done".
    if (!lostResponse && mutating && o.commitThenErrorRate > 0 && this.random() < o.commitThenErrorRate)
      return { kind: "process", lostResponse, commitThenError: this.serverError() };
    return { kind: "process", lostResponse };
  }

  private serverError(): 500 | 502 | 503 {
    const statuses = [500, 502, 503] as const;
    return statuses[Math.floor(this.random() * 3)] ?? 503;
  }

  private takeToken(): boolean {
    const now = this.clock();
    this.tokens = Math.min(
      this.burst,
      this.tokens + ((now - this.refilledAt) / 1000) * this.options.rateLimit,
    );
    this.refilledAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
