// The writer pool's ceiling on a larger host, derived from the CPU each create cost in measured runs.
import { median, type LiveRun } from "./live-runs.js";

/**
 * From the zero-latency runs' CPU per create: the main thread is one thread (admission, ledger), so it
 * bounds the run at 1e6 / mainUs creates a second whatever the cores; the other threads (writers making
 * the calls, the reading thread) spread over the remaining cores. Authlete is elsewhere in production, so
 * the emulator's CPU is left out of the projection — it is in the measured 2-core figure, where it shares
 * the cores.
 */
export function projectedCeiling(runs: LiveRun[], measuredCores: number): Record<string, unknown> {
  const measured = runs.map((r) => r.cpuUsPerCreate).filter((c) => c !== undefined);
  if (measured.length === 0) return { what: "projected ceiling", skipped: "no per-thread CPU (no /proc)" };
  const main = median(measured.map((c) => c.main));
  const threads = median(measured.map((c) => c.threads));
  const emulator = median(measured.map((c) => c.emulator));
  const ceiling = (cores: number) => Math.round(Math.min(1e6 / main, ((cores - 1) * 1e6) / threads));
  return {
    what: "writer pool ceiling per host size, projected from the CPU per create of the zero-latency c64 runs (default --writers)",
    cpuUsPerCreate: { mainThread: main, otherThreads: threads, emulator },
    formula: `min(1e6 / ${main} µs, (cores - 1) × 1e6 / ${threads} µs)`,
    projectedPerSecond: Object.fromEntries([4, 8, 16].map((n) => [`cores${n}`, ceiling(n)])),
    measuredPerSecond: { [`cores${measuredCores}`]: Math.round(median(runs.map((r) => r.perSecond))) },
    // The model checked against the measurement: here the emulator shares the cores with the run.
    modelWithEmulatorHere: {
      formula: `min(1e6 / ${main}, ${measuredCores} × 1e6 / (${main} + ${threads} + ${emulator}))`,
      perSecond: Math.round(Math.min(1e6 / main, (measuredCores * 1e6) / (main + threads + emulator))),
    },
    boundBeyond: `${Math.ceil(threads / main) + 1} cores: the main thread`,
  };
}
