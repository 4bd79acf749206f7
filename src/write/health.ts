import { backoffMs } from "../shared/backoff.js";
import { MigrateError } from "../shared/errors.js";
import type { Pacer } from "./pacer.js";

/**
 * A circuit breaker over the whole writer: a run of consecutive 5xx/network failures pauses every call
 * with growing backoff; the calls after the pause are the probes. With no success for `giveUpAfterMs`,
 * the run aborts rather than turning every remaining row into a failure.
 */
export class ServiceHealth {
  openings = 0;
  private streak = 0;
  private lastSuccess: number;

  constructor(
    private readonly pacer: Pacer,
    private readonly threshold: number,
    private readonly giveUpAfterMs: number,
    private readonly backoffCapMs: number,
  ) {
    this.lastSuccess = pacer.clock.now();
  }

  success(): void {
    this.streak = 0;
    this.lastSuccess = this.pacer.clock.now();
  }

  /** Records a transient failure; returns the fatal error once the service has been failing too long. */
  failure(what: string): MigrateError | undefined {
    this.streak++;
    const failingFor = this.pacer.clock.now() - this.lastSuccess;
    if (failingFor > this.giveUpAfterMs) {
      return new MigrateError(
        "service_unreachable",
        `Authlete has not answered successfully for ${Math.round(failingFor / 1000)} s (last: ${what}); rerun to resume`,
      );
    }
    if (this.streak >= this.threshold) {
      this.openings++;
      this.streak = 0;
      this.pacer.pause(backoffMs(this.openings, { baseMs: 500, capMs: this.backoffCapMs }));
    }
    return undefined;
  }
}
