import { readRows, readRowsForRun } from "../read/index.js";
import { keyRow, prepare } from "./map-on-reader.js";
import type { MappedRow, MappedSource } from "./types.js";

/** Reads every row of the sources and maps it, on the calling thread: a pass before or after a run. */
export async function* mappedRows(source: MappedSource): AsyncGenerator<MappedRow> {
  const map = prepare({ mapping: source.mapping, now: source.now });
  for await (const row of readRows(source.files, source.read)) yield keyRow(map(row));
}

/**
 * The rows of a run: read and mapped on a reading thread (see read/index.ts `readRowsForRun`), taken a
 * batch at a time — a layer of async iteration per row was a fifth of a dry run's main thread.
 */
export function mappedBatches(source: MappedSource): AsyncGenerator<MappedRow[]> {
  const module = new URL("./map-on-reader.js", import.meta.url).href;
  const data = { mapping: source.mapping, now: source.now };
  return readRowsForRun<MappedRow>(source.files, source.read, { module, data });
}

/** Batches being read: taken with `for await`, or given back with `return()` if they will not be taken. */
export type RowsReading = AsyncIterableIterator<MappedRow[]> & {
  return(): Promise<IteratorResult<MappedRow[]>>;
};

/**
 * The batches of `mappedBatches`, read from now on: the reading thread starts (and reads a few batches
 * ahead) while the caller still prepares — loads the SDK, reads the service. An error reading them
 * surfaces where they are taken, in its place, not here.
 */
export function readingAhead(source: MappedSource): RowsReading {
  const batches = mappedBatches(source);
  let first: Promise<IteratorResult<MappedRow[]>> | undefined = batches.next();
  first.catch(() => undefined);
  return {
    next() {
      const taken = first ?? batches.next();
      first = undefined;
      return taken;
    },
    return() {
      first = undefined;
      return batches.return(undefined);
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
