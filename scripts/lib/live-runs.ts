// Live runs of the whole CLI against a fresh emulator process, for npm run bench.
import { measure } from "./measure.js";
import { cpuSeconds } from "./processes.js";
import { emulatorEnv, spawnEmulator } from "./spawn-emulator.js";

export const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
export const stat = (values: number[]) => ({
  min: Math.round(Math.min(...values)),
  median: Math.round(median(values)),
});

export interface LiveRun {
  created: number;
  /** Creates per second while writing (the writer's own active time). */
  perSecond: number;
  rateLimited: number;
  /** CPU microseconds per create: the run's main thread, its other threads (writers, reading, GC), the emulator. */
  cpuUsPerCreate?: { main: number; threads: number; emulator: number };
}

/** One live run (`migrate` with these arguments) against a fresh emulator started with `emulatorArgs`. */
export async function runLive(migrate: string[], emulatorArgs: string[]): Promise<LiveRun> {
  const emulator = await spawnEmulator(emulatorArgs);
  try {
    const emulatorBefore = cpuSeconds(emulator.child.pid!);
    const run = await measure(process.execPath, migrate, emulatorEnv(emulator));
    const emulatorCpu = (cpuSeconds(emulator.child.pid!) ?? NaN) - (emulatorBefore ?? NaN);
    const s = JSON.parse(run.stdout) as {
      created: number;
      writer: { activeMs: number; rateLimited: number };
    };
    const us = (seconds: number) => Math.round((seconds / s.created) * 1e6);
    return {
      created: s.created,
      perSecond: s.created / (s.writer.activeMs / 1000),
      rateLimited: s.writer.rateLimited,
      cpuUsPerCreate:
        run.threads && s.created > 0
          ? {
              main: us(run.threads.main),
              threads: us(run.threads.others.reduce((a, b) => a + b, 0)),
              emulator: us(emulatorCpu),
            }
          : undefined,
    };
  } finally {
    await emulator.stop();
  }
}

/** Each --writers variant `repeats` times, interleaved, so a machine that slows down slows them alike. */
export async function compareWriters(
  variants: number[],
  repeats: number,
  run: (writers: number) => Promise<LiveRun>,
): Promise<Map<number, LiveRun[]>> {
  const runs = new Map<number, LiveRun[]>(variants.map((w) => [w, []]));
  for (let i = 0; i < repeats; i++) {
    for (const writers of variants) runs.get(writers)!.push(await run(writers));
  }
  return runs;
}

/** Each variant's creates per second. */
export const ratesOf = (runs: Map<number, LiveRun[]>) =>
  new Map([...runs].map(([w, r]) => [w, r.map((x) => x.perSecond)]));
