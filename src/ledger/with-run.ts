import { MigrateError } from "../shared/errors.js";
import { openLedger, type Ledger } from "./ledger.js";
import type { RunStart, RunStatus } from "./types.js";

/** Opens a ledger for the length of `body`, and closes it whatever happens. */
export async function withLedger<T>(file: string, body: (ledger: Ledger) => Promise<T> | T): Promise<T> {
  const ledger = openLedger(file);
  try {
    return await body(ledger);
  } finally {
    ledger.close();
  }
}

/** How a run ended: its status and summary, and the error that ended it early, if one did. */
export interface RunEnd<Summary> {
  status: RunStatus;
  summary: Summary;
  /** Thrown once the run is recorded with its summary. */
  error?: Error;
}

/**
 * One run of any command in the ledger's run log: started, `body` run, finished with the status and summary
 * it returns. A body that throws leaves the run recorded as aborted, with the error's code, never running.
 */
export async function withRun<Summary>(
  ledger: Ledger,
  start: RunStart,
  body: (runId: number) => Promise<RunEnd<Summary>>,
): Promise<Summary> {
  const runId = ledger.startRun(start);
  let end: RunEnd<Summary>;
  try {
    end = await body(runId);
  } catch (error) {
    recordAbort(ledger, runId, error);
    throw error;
  }
  ledger.finishRun(runId, end.status, end.summary);
  if (end.error) throw end.error;
  return end.summary;
}

/** Marks a run aborted after a fatal error; a ledger that cannot be written (a full disk) is left as it is. */
function recordAbort(ledger: Ledger, runId: number, error: unknown): void {
  const failure = error instanceof MigrateError ? { code: error.code, message: error.message } : undefined;
  try {
    ledger.finishRun(runId, "aborted", { runId, status: "aborted", error: failure });
  } catch {
    // The next run takes over a run left `running` by a process that is gone.
  }
}
