import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus as machineCpus } from "node:os";

/** A process's CPU seconds so far (user + system, all its threads), from /proc; undefined off Linux. */
export function cpuSeconds(pid: number): number | undefined {
  try {
    // Fields after the command's closing parenthesis: utime and stime are the 12th and 13th, in ticks.
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/**
 * Pins processes (all their threads) to the CPUs named ("0", "1", "0-1"). False where it cannot (no
 * taskset, one CPU): the caller says the figure is missing rather than printing an unpinned one as pinned.
 */
export function pin(pids: number[], cpus: string): boolean {
  // The machine's CPUs, not availableParallelism(): that is this process's affinity, which pinning narrows.
  if (machineCpus().length < 2) return false;
  return pids.every((pid) => {
    const run = spawnSync("taskset", ["-a", "-cp", cpus, String(pid)], { encoding: "utf8" });
    if (run.status !== 0) process.stderr.write(`taskset ${cpus} ${pid}: ${run.stderr || run.error}\n`);
    return run.status === 0;
  });
}

/** Every CPU of this machine, as taskset names them. */
export const allCpus = () => `0-${machineCpus().length - 1}`;
