import cliProgress from "cli-progress";
import type { Progress } from "../pipeline/index.js";

export interface ProgressView {
  update(progress: Progress): void;
  stop(): void;
}

const plainEveryMs = 5_000;

function counts(p: Progress): string {
  const rate = p.writer ? ` rate=${p.writer.currentRate.toFixed(0)}/s 429s=${p.writer.rateLimited}` : "";
  return `created=${p.created} skipped=${p.skipped} rejected=${p.rejected} failed=${p.failed} in-flight=${p.inFlight}${rate}`;
}

/** Progress on stderr: a bar on a TTY, a plain line every few seconds otherwise, nothing when quiet. */
export function createProgressView(stream: NodeJS.WriteStream, quiet: boolean): ProgressView {
  if (quiet) return { update() {}, stop() {} };
  if (!stream.isTTY) {
    let last = 0;
    return {
      update(p) {
        const now = performance.now();
        if (now - last < plainEveryMs) return;
        last = now;
        const speed = p.rows / Math.max(1, p.elapsedMs / 1000);
        stream.write(
          `progress: rows=${p.rows}${p.total ? `/${p.total}` : ""} ${speed.toFixed(0)} rows/s ${counts(p)}\n`,
        );
      },
      stop() {},
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      format: "{bar} {percentage}% | {value}/{total} rows | ETA {eta_formatted} | {counts}",
      hideCursor: true,
      stream,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(p) {
      const total = p.total ?? Math.max(p.rows, 1);
      if (!started) {
        bar.start(total, p.rows, { counts: counts(p) });
        started = true;
      }
      bar.setTotal(total);
      bar.update(p.rows, { counts: counts(p) });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
