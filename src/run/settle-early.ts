import type { Ledger } from "../ledger/index.js";
import type { Tally } from "../report/index.js";
import type { MappedRow, RowsReading } from "../rows/index.js";
import { admittedRow, planned } from "../settle/index.js";
import { countFate } from "./count.js";
import type { RunProgress } from "./run-progress.js";

/** What settling early works with: the ledger read, the tally counted, and what ends it. */
export interface EarlySetup {
  ledger: Ledger;
  tally: Tally;
  progress: RunProgress;
  retryRejected: boolean;
  /** The service being read, if it is: once it settles (ready or not), the run takes over. */
  connecting?: Promise<unknown>;
  stop?: AbortSignal;
}

/** Where settling early ended: the batches left, starting with the first row it did not settle. */
interface EarlyEnd {
  rest: AsyncIterable<readonly MappedRow[]>;
  /** The sources ended with every row settled: nothing is left for the run (nor for Authlete). */
  ended: boolean;
  /** Reading (or the ledger) failed: `rest` holds no row, only that error, for the run to record. */
  failed: boolean;
}

/**
 * A rerun's rows settled before the run needs the service: tokens the ledger holds as already migrated,
 * skipped or refused need neither the run nor Authlete (the ledger's `settledAhead` says which), so
 * they are counted now, in row order, while the SDK loads and the service is read (a few hundred
 * milliseconds the run would otherwise wait through with its reading thread stalled), or, over sources a
 * completed run read, before the service is read at all. It ends at the first row that needs more, at a
 * stop, or once the service is read. A reading error is thrown where the run takes its rows (recorded).
 */
async function settleEarly(rows: RowsReading, setup: EarlySetup): Promise<EarlyEnd> {
  let connected = false;
  const over = () => (connected = true);
  setup.connecting?.then(over, over);
  let rest: MappedRow[] = [];
  try {
    while (!connected && !setup.stop?.aborted) {
      const next = await rows.next();
      if (next.done) return { rest: remaining([], rows), ended: true, failed: false };
      const batch = next.value;
      const settledRows = settleAhead(batch, setup);
      setup.progress.report(false);
      if (settledRows < batch.length) {
        rest = batch.slice(settledRows);
        break;
      }
    }
  } catch (error) {
    return { rest: failing(error), ended: false, failed: true };
  }
  return { rest: remaining(rest, rows), ended: false, failed: false };
}

/** Counts the leading rows of a batch the ledger settles whatever the service says; returns how many. */
function settleAhead(batch: readonly MappedRow[], { ledger, tally, retryRejected }: EarlySetup): number {
  const admitted = batch.map((mapped) => admittedRow(mapped, mapped.result));
  const decisions = ledger.settledAhead(admitted, { retryRejected });
  decisions.forEach((decision, i) => {
    const admission = { at: admitted[i]!, mapped: batch[i]!.result, decision };
    tally.read();
    countFate(tally, planned(admission), admission);
  });
  return decisions.length;
}

async function* remaining(first: MappedRow[], rows: RowsReading): AsyncGenerator<readonly MappedRow[]> {
  if (first.length > 0) yield first;
  yield* rows;
}

/** Batches that hold no row, only the error taking the first one throws. */
function failing(error: unknown): AsyncIterable<readonly MappedRow[]> {
  return { [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(error) }) };
}

/** How a live run reaches the service: `connect` reads it; `lazily`, only once a row needs it. */
export interface ServiceReach<S> {
  connect(): Promise<S>;
  /** A rerun over sources a completed run read with this mapping: most likely nothing is left to send. */
  lazily: boolean;
}

/**
 * The service side of a live run and the batches left for it: the rows the ledger settled for good are
 * counted first, while the service is read or, `lazily`, before it is. When they were all the rows (or a
 * stop came first, or reading failed), the service is not read at all and no row is left: `service` is
 * then undefined.
 */
export async function settleThenConnect<S>(
  rows: RowsReading,
  setup: Omit<EarlySetup, "connecting">,
  reach: ServiceReach<S>,
): Promise<{ service?: S; batches: AsyncIterable<readonly MappedRow[]> }> {
  const connecting = reach.lazily ? undefined : reach.connect();
  const end = await settleEarly(rows, { ...setup, connecting });
  if (connecting) return { service: await connecting, batches: end.rest };
  // Rows read after a stop and not settled are read again by the next run.
  if (end.ended || setup.stop?.aborted) return { batches: none() };
  // A source that broke is the run's error to record, not a reason to read the service (whose refusal
  // would hide it); no row is left for a run without a writer.
  if (end.failed) return { batches: end.rest };
  return { service: await reach.connect(), batches: end.rest };
}

async function* none(): AsyncGenerator<readonly MappedRow[]> {}
