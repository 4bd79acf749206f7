/** How long to wait before retry `attempt`: exponential, capped, with optional full jitter. */
export interface Backoff {
  /** The first wait, ms (attempt 0); it doubles each attempt. */
  baseMs: number;
  /** The exponential part never exceeds this, ms. */
  capMs: number;
  /** Full jitter: a uniform draw in [0, wait) spreads retrying clients apart. Omitted: no jitter. */
  random?: () => number;
}

/**
 * The one backoff rule of every retry loop (writer, circuit breaker, preflight reads, LINE's issuer):
 * `min(cap, base × 2^attempt)`, jittered if asked, and never shorter than the server's Retry-After;
 * `maxWaitMs` bounds the result even against a Retry-After (a caller that must not hang).
 */
export function backoffMs(
  attempt: number,
  rule: Backoff,
  retryAfterMs?: number,
  maxWaitMs = Infinity,
): number {
  const exponential = Math.min(rule.capMs, rule.baseMs * 2 ** Math.min(attempt, 40));
  const wait = rule.random ? rule.random() * exponential : exponential;
  return Math.min(maxWaitMs, Math.max(wait, retryAfterMs ?? 0));
}
