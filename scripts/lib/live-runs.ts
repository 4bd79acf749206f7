// Live runs of the whole CLI against a fresh emulator process, for npm run bench.
import { measure } from "./measure.js";
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
}

/** One live run (`migrate` with these arguments) against a fresh emulator started with `emulatorArgs`. */
export async function runLive(migrate: string[], emulatorArgs: string[]): Promise<LiveRun> {
  const emulator = await spawnEmulator(emulatorArgs);
  try {
    const run = await measure(process.execPath, migrate, emulatorEnv(emulator));
    const s = JSON.parse(run.stdout) as {
      created: number;
      writer: { activeMs: number; rateLimited: number };
    };
    return {
      created: s.created,
      perSecond: s.created / (s.writer.activeMs / 1000),
      rateLimited: s.writer.rateLimited,
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
): Promise<Map<number, number[]>> {
  const rates = new Map<number, number[]>(variants.map((w) => [w, []]));
  for (let i = 0; i < repeats; i++) {
    for (const writers of variants) rates.get(writers)!.push((await run(writers)).perSecond);
  }
  return rates;
}
