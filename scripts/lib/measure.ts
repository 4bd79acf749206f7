import { spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { watchThreads, type ThreadCpu } from "./thread-cpu.js";

export interface Measured {
  seconds: number;
  maxRssMb: number;
  code: number | null;
  stdout: string;
  /** Only when asked for (`captureStderr`); otherwise stderr goes to this process's. */
  stderr: string;
  /** The command's CPU by thread (Linux only). */
  threads: ThreadCpu | undefined;
}

let n = 0;
/** Runs a command as a whole process under /usr/bin/time: wall time, peak RSS, its stdout. */
export async function measure(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
  captureStderr = false,
): Promise<Measured> {
  const out = join(tmpdir(), `authlete-migrate-time-${process.pid}-${n++}`);
  const child = spawn("/usr/bin/time", ["-f", "%e %M", "-o", out, command, ...args], {
    env,
    stdio: ["ignore", "pipe", captureStderr ? "pipe" : "inherit"],
  });
  const threads = watchThreads(child.pid!);
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  const [code] = (await once(child, "close")) as [number | null];
  const cpu = threads.stop();
  const [seconds, kb] = readFileSync(out, "utf8").trim().split(/\s+/).slice(-2).map(Number);
  rmSync(out, { force: true });
  return { seconds: seconds!, maxRssMb: Math.round(kb! / 1024), code, stdout, stderr, threads: cpu };
}
