import { mapRow, type Mapping, type MapResult } from "../map/index.js";
import { readRows, readRowsForRun, type ReadOptions, type SourceRow } from "../read/index.js";

/** Where the rows come from and how they are mapped. */
export interface MappedSource {
  files: readonly string[];
  read: ReadOptions;
  mapping: Mapping;
  /** The planning instant (ms), or a clock read again for every row (a long run's lifetimes). */
  now: number | (() => number);
  /** Parse on a reading thread (a run), not on the calling one (a pass before or after it). */
  readingThread?: boolean;
}

/** One row of the sources with what the mapping made of it, at the instant it was mapped. */
export interface MappedRow {
  row: SourceRow;
  result: MapResult;
  now: number;
}

/** Reads every row of the sources and maps it: the one path from a dump to payloads for every command. */
export async function* mappedRows(source: MappedSource): AsyncGenerator<MappedRow> {
  const rows = (source.readingThread ? readRowsForRun : readRows)(source.files, source.read);
  const clock = source.now;
  for await (const row of rows) {
    const now = typeof clock === "number" ? clock : clock();
    yield { row, result: mapRow(row, { mapping: source.mapping, now }), now };
  }
}
