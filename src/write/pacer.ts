import { setTimeout as sleep } from "node:timers/promises";

/** The time a pacer runs on: the monotonic clock and a timer, or a test's virtual ones. */
export interface PacerClock {
  now(): number;
  sleep(ms: number): Promise<unknown>;
}

const realClock: PacerClock = { now: () => performance.now(), sleep: (ms) => sleep(ms) };

/**
 * Paces every call of the writer: a token bucket at the current rate, a global pause (Retry-After, an
 * open circuit) that holds all calls rather than the one that was refused, and AIMD adaptation:
 * the rate drops to 70% on a 429 and climbs back by 10% of the target per second of calm.
 */
export class Pacer {
  currentRate: number;
  private tokens = 1;
  private refilledAt: number;
  private pausedUntil = 0;
  private lastIncrease: number;
  private stopped = false;

  constructor(
    private readonly targetRate: number,
    readonly clock: PacerClock = realClock,
  ) {
    this.currentRate = targetRate;
    this.refilledAt = this.lastIncrease = clock.now();
  }

  /** Waits until a call may start; false once stopped. */
  async acquire(): Promise<boolean> {
    for (;;) {
      if (this.stopped) return false;
      const now = this.clock.now();
      if (now < this.pausedUntil) {
        await this.clock.sleep(Math.min(this.pausedUntil - now, 250));
        continue;
      }
      this.refill(now);
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return true;
      }
      await this.clock.sleep(Math.min(250, Math.max(1, ((1 - this.tokens) / this.currentRate) * 1000)));
    }
  }

  /** Holds every call for `ms` (e.g. Retry-After); the longest pause requested wins. */
  pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.clock.now() + ms);
    this.tokens = Math.min(this.tokens, 1);
  }

  /** A 429: multiplicative decrease. */
  slowDown(): void {
    this.currentRate = Math.max(1, this.currentRate * 0.7);
    this.lastIncrease = this.clock.now();
  }

  /** A success: additive increase back toward the target, 10% of it per second. */
  speedUp(): void {
    const now = this.clock.now();
    if (this.currentRate >= this.targetRate) return;
    const step = (this.targetRate * 0.1 * (now - this.lastIncrease)) / 1000;
    this.currentRate = Math.min(this.targetRate, this.currentRate + step);
    this.lastIncrease = now;
  }

  stop(): void {
    this.stopped = true;
  }

  private refill(now: number): void {
    // Bursts of 20 ms at most: calls stay evenly spaced, so a server limiting at the same rate with
    // any burst allowance never sees more than it admits, and a paused writer does not stampede.
    const capacity = Math.max(1, this.currentRate / 50);
    this.tokens = Math.min(capacity, this.tokens + ((now - this.refilledAt) / 1000) * this.currentRate);
    this.refilledAt = now;
  }
}
