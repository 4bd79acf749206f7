import cliProgress from "cli-progress";
import type { Progress } from "../run/index.js";

export interface ProgressView {
  update(progress: Progress): void;
  stop(): void;
}

const plainEveryMs = 5_000;

/** Rows whose fate is recorded: what the bar and the ETA follow (reading runs far ahead of writing). */
const settled = (p: Progress) => p.created + p.skipped + p.rejected + p.failed;

/** Seconds left at the pace rows have been settled so far; undefined without a total or a pace yet. */
export function etaSeconds(p: Progress): number | undefined {
  const done = settled(p);
  if (p.total === undefined || done === 0) return undefined;
  return Math.max(0, Math.ceil(((p.total - done) * p.elapsedMs) / done / 1000));
}

function duration(seconds: number | undefined): string {
  if (seconds === undefined) return "?";
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  return minutes < 60 ? `${minutes}m${seconds % 60}s` : `${Math.floor(minutes / 60)}h${minutes % 60}m`;
}

function counts(p: Progress): string {
  const rate = p.writer ? ` rate=${p.writer.currentRate.toFixed(0)}/s 429s=${p.writer.rateLimited}` : "";
  return `read=${p.rows} created=${p.created} skipped=${p.skipped} rejected=${p.rejected} failed=${p.failed} in-flight=${p.inFlight}${rate}`;
}

/**
 * Progress on stderr: a bar on a TTY, a plain line every 5 s otherwise,
 * nothing when quiet. Both follow settled rows, with the ETA at the pace they settle.
 */
export function createProgressView(
  stream: NodeJS.WriteStream,
  quiet: boolean,
  now: () => number = () => performance.now(),
): ProgressView {
  if (quiet) return { update() {}, stop() {} };
  if (!stream.isTTY) {
    // The first line after 5 s too: a short run (or one that fails at once) prints none.
    let last = now();
    return {
      update(p) {
        const at = now();
        if (at - last < plainEveryMs) return;
        last = at;
        const speed = settled(p) / Math.max(1, p.elapsedMs / 1000);
        const of = p.total === undefined ? "" : `/${p.total}`;
        stream.write(
          `progress: ${settled(p)}${of} rows done ${speed.toFixed(0)} rows/s ETA ${duration(etaSeconds(p))} ${counts(p)}\n`,
        );
      },
      stop() {},
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      format: "{bar} {percentage}% | {value}/{total} rows done | ETA {left} | {counts}",
      hideCursor: true,
      stream,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(p) {
      const total = p.total ?? Math.max(p.rows, 1);
      const payload = { counts: counts(p), left: duration(etaSeconds(p)) };
      if (!started) {
        bar.start(total, settled(p), payload);
        started = true;
      }
      bar.setTotal(total);
      bar.update(settled(p), payload);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
