import { readFileSync, readdirSync } from "node:fs";
import { statCpuSeconds } from "./processes.js";

/** CPU seconds of one process's threads: its main thread, and the others busiest first. */
export interface ThreadCpu {
  main: number;
  others: number[];
}

/**
 * Samples the CPU of each thread of the process that `parent` started (the command under /usr/bin/time)
 * every 100 ms until stopped: Node has no per-thread CPU before v23, /proc has. The last 100 ms of a
 * thread may be missed; undefined off Linux.
 */
export function watchThreads(parent: number): { stop(): ThreadCpu | undefined } {
  const last = new Map<string, number>();
  let pid: number | undefined;
  const sample = () => {
    try {
      pid ??= Number(readFileSync(`/proc/${parent}/task/${parent}/children`, "utf8").trim().split(" ")[0]);
      if (!pid) return void (pid = undefined);
      for (const tid of readdirSync(`/proc/${pid}/task`)) {
        const seconds = statCpuSeconds(`/proc/${pid}/task/${tid}/stat`);
        if (seconds !== undefined) last.set(tid, seconds);
      }
    } catch {
      // not started yet, or gone: the samples so far stand
    }
  };
  const timer = setInterval(sample, 100);
  return {
    stop() {
      clearInterval(timer);
      if (pid === undefined || !last.has(String(pid))) return undefined;
      const others = [...last].filter(([tid]) => tid !== String(pid)).map(([, s]) => s);
      return { main: last.get(String(pid))!, others: others.sort((a, b) => b - a) };
    },
  };
}
