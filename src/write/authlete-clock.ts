/** How the offset between Authlete's clock and this host's was last narrowed. */
export type ClockSource = "none" | "date-header" | "token-create";

/** Authlete's clock minus this host's (planning) clock, as far as the answers show it. */
export interface ClockOffset {
  /** Middle of the interval the offset is known to lie in, ms (0 when nothing is known). */
  offsetMs: number;
  /** Half the interval's width, ms: the offset is offsetMs ± uncertaintyMs. */
  uncertaintyMs: number;
  source: ClockSource;
}

/**
 * What this host knows of Authlete's clock. Lifetimes are counted by Authlete from its own clock, so a
 * host behind Authlete's would extend every migrated token: durations are computed against Authlete's
 * time, read at its latest possible value, so that no token comes out longer than its legacy expiry.
 *
 * Each answer bounds the offset: Authlete's time T seen in an answer was taken between the request's
 * departure (sentAt) and the answer's arrival (receivedAt) on this host's clock, so the offset lies in
 * [T − receivedAt, T − sentAt]. Intervals are intersected; one that does not overlap (a clock stepped)
 * replaces the rest.
 */
export class AuthleteClock {
  private low = -Infinity;
  private high = Infinity;
  private source: ClockSource = "none";
  /** Set while one create measures the clock and the others wait for it. */
  private measuring: Promise<void> | undefined;

  constructor(readonly hostNow: () => number) {}

  /** A `Date` header (whole seconds) on an answer. */
  observeDate(header: string | null | undefined, sentAt: number, receivedAt: number): void {
    const date = header ? Date.parse(header) : Number.NaN;
    if (Number.isNaN(date) || this.source === "token-create") return;
    this.narrow(date - receivedAt, date + 999 - sentAt, "date-header");
  }

  /** The instant Authlete issued a token (its `expiresAt − expiresIn × 1000`), to the millisecond. */
  observeIssue(issuedAt: number, sentAt: number, receivedAt: number): void {
    this.narrow(issuedAt - receivedAt, issuedAt - sentAt, "token-create");
  }

  /**
   * Until a create has measured the clock to the millisecond, lets one create through at a time (a Date
   * header only bounds it to a second, and lifetimes counted from that bound would come out up to a
   * second short). Resolves to the function the create calls when its answer has been read.
   */
  async measured(): Promise<() => void> {
    while (this.source !== "token-create" && this.measuring) await this.measuring;
    if (this.source === "token-create") return () => {};
    let release!: () => void;
    this.measuring = new Promise((resolve) => (release = resolve));
    return () => {
      this.measuring = undefined;
      release();
    };
  }

  /** Authlete's time now at the latest: lifetimes counted from it never outlive what they aim at. */
  latestNow(): number {
    return this.hostNow() + (Number.isFinite(this.high) ? this.high : 0);
  }

  /**
   * Authlete's time now at the earliest: an instant before it has passed there. While nothing is known
   * the offset is taken as `maxSkewMs` behind (the largest a run accepts).
   */
  earliestNow(maxSkewMs: number): number {
    return this.hostNow() + (Number.isFinite(this.low) ? this.low : -maxSkewMs);
  }

  /** The highest the offset can be, ms (0 while nothing is known). */
  get highMs(): number {
    return Number.isFinite(this.high) ? this.high : 0;
  }

  get offset(): ClockOffset {
    if (this.source === "none") return { offsetMs: 0, uncertaintyMs: 0, source: "none" };
    return {
      offsetMs: Math.round((this.low + this.high) / 2),
      uncertaintyMs: Math.ceil((this.high - this.low) / 2),
      source: this.source,
    };
  }

  /** The smallest the offset's size can be, ms: what a threshold is checked against. */
  get leastSkewMs(): number {
    if (this.source === "none") return 0;
    if (this.low > 0) return this.low;
    if (this.high < 0) return -this.high;
    return 0;
  }

  private narrow(low: number, high: number, source: ClockSource): void {
    const sameSource = this.source === source;
    if (!sameSource || low > this.high || high < this.low) {
      // A better kind of evidence, or a clock that stepped: start again from this answer.
      this.low = low;
      this.high = high;
    } else {
      this.low = Math.max(this.low, low);
      this.high = Math.min(this.high, high);
    }
    this.source = source;
  }
}
