import { readRows, readRowsForRun } from "../read/index.js";
import { prepare } from "./map-on-reader.js";
import type { MappedRow, MappedSource } from "./types.js";

/** Reads every row of the sources and maps it: the one path from a dump to payloads for every command. */
export async function* mappedRows(source: MappedSource): AsyncGenerator<MappedRow> {
  const data = { mapping: source.mapping, now: source.now };
  if (source.readingThread) {
    const module = new URL("./map-on-reader.js", import.meta.url).href;
    return yield* readRowsForRun<MappedRow>(source.files, source.read, { module, data });
  }
  const map = prepare(data);
  for await (const row of readRows(source.files, source.read)) yield map(row);
}

/** Rows being read: taken with `for await`, or given back with `return()` if they will not be taken. */
export type RowsReading = AsyncIterableIterator<MappedRow> & {
  return(): Promise<IteratorResult<MappedRow>>;
};

/**
 * The rows of `mappedRows`, read from now on: the reading thread starts (and reads a few batches ahead)
 * while the caller still prepares — loads the SDK, reads the service. An error reading them surfaces
 * where they are taken, in its place, not here.
 */
export function readingAhead(source: MappedSource): RowsReading {
  const rows = mappedRows(source);
  let first: Promise<IteratorResult<MappedRow>> | undefined = rows.next();
  first.catch(() => undefined);
  return {
    next() {
      const taken = first ?? rows.next();
      first = undefined;
      return taken;
    },
    return() {
      first = undefined;
      return rows.return(undefined);
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
