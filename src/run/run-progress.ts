import type { Tally } from "../report/index.js";
import type { WriterHandle } from "../write/index.js";
import type { MigrateConfig } from "./types.js";

const progressEveryMs = 250;
const timelineEverySeconds = 2;

/** A run's progress callbacks (at most every 250 ms) and its throughput timeline (live runs, every 2 s). */
export class RunProgress {
  private lastProgress = 0;

  constructor(
    private readonly run: {
      config: MigrateConfig;
      tally: Tally;
      writer: WriterHandle | undefined;
      total: number | undefined;
      startedAt: number;
    },
  ) {}

  report(force: boolean): void {
    const { config, tally, writer, startedAt } = this.run;
    const now = performance.now();
    const last = tally.timeline.at(-1)?.t ?? -Infinity;
    if (writer && (now - startedAt) / 1000 - last >= timelineEverySeconds) {
      tally.sample((now - startedAt) / 1000, writer.stats.rateLimited);
    }
    if (!config.onProgress || (!force && now - this.lastProgress < progressEveryMs)) return;
    this.lastProgress = now;
    const { created, skipped, rejected, failed } = tally.states;
    config.onProgress({
      rows: tally.rows,
      total: this.run.total,
      created,
      skipped,
      rejected,
      failed,
      inFlight: writer?.inFlight ?? 0,
      writer: writer?.stats,
      elapsedMs: now - startedAt,
    });
  }
}
