import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus as machineCpus } from "node:os";

/**
 * The CPU seconds (user + system) a /proc `stat` file holds — a process's (all its threads) or one
 * thread's (`/proc/<pid>/task/<tid>/stat`); undefined once it is gone, or off Linux.
 */
export function statCpuSeconds(statFile: string): number | undefined {
  try {
    // Fields after the command's closing parenthesis: utime and stime are the 12th and 13th, in ticks
    // (USER_HZ, 100 on Linux).
    const fields = readFileSync(statFile, "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/** A process's CPU seconds so far (all its threads); undefined off Linux. */
export const cpuSeconds = (pid: number) => statCpuSeconds(`/proc/${pid}/stat`);

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
