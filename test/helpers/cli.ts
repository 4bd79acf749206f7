import assert from "node:assert/strict";
import type { RunSummary } from "../../src/run/index.js";
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { repoFile } from "./paths.js";

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunningCli {
  child: ChildProcess;
  result: Promise<CliResult>;
}

/**
 * Starts the real CLI (bin/authlete-migrate.js) as a child process; `fileSizeLimit` (bytes) caps every
 * file it writes, as a full disk would (util-linux's prlimit: the writes past it fail with EFBIG).
 */
/** CLI processes still running: a test that fails midway leaves none behind when its file's process ends. */
const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

export function startCli(
  args: string[],
  env: Record<string, string | undefined> = {},
  options: { fileSizeLimit?: number; input?: string | Buffer } = {},
): RunningCli {
  const node = [process.execPath, repoFile("bin/authlete-migrate.js"), ...args];
  const limit = options.fileSizeLimit;
  const command = limit === undefined ? node : ["prlimit", `--fsize=${limit}`, ...node];
  const child = spawn(command[0]!, command.slice(1), {
    env: {
      ...process.env,
      AUTHLETE_BASE_URL: undefined,
      AUTHLETE_SERVICE_ID: undefined,
      AUTHLETE_BEARER: undefined,
      ...env,
    },
    stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
  });
  // A dump piped in: written whole, then closed (the CLI reads standard input to its end).
  if (options.input !== undefined) child.stdin!.end(options.input);
  running.add(child);
  child.once("exit", () => running.delete(child));
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  const result = once(child, "close").then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
    stdout,
    stderr,
  }));
  return { child, result };
}

/** Runs the CLI to completion. */
export function runCli(
  args: string[],
  env: Record<string, string | undefined> = {},
  options: { fileSizeLimit?: number; input?: string | Buffer } = {},
): Promise<CliResult> {
  return startCli(args, env, options).result;
}

/** A dry run of `dump` with `mapping` into `ledger` (no Authlete needed), as JSON: its result and summary. */
export async function dryRunJson(
  dump: string,
  mapping: string,
  ledger: string,
  extra: string[] = [],
): Promise<CliResult & { summary: RunSummary }> {
  const run = await runCli([
    "migrate",
    dump,
    "--mapping",
    mapping,
    "--ledger",
    ledger,
    "--dry-run",
    "--json",
    ...extra,
  ]);
  assert.ok(run.stdout, `the dry run printed no summary (exit ${run.code}): ${run.stderr}`);
  return { ...run, summary: JSON.parse(run.stdout) as RunSummary };
}
