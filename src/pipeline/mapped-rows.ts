import type { MapResult, Mapping } from "../map/index.js";
import { readRows, readRowsForRun, type ReadOptions, type SourceRow } from "../read/index.js";
import { prepare } from "./map-on-reader.js";

/**
 * The planning instant (ms), or the host's clock moved by `offsetMs`, read again for every row as it is
 * mapped (a long run's lifetimes). A reading thread reads it too: threads share the process's clock.
 */
export type PlanningTime = number | { offsetMs: number };

/** Where the rows come from and how they are mapped. */
export interface MappedSource {
  files: readonly string[];
  read: ReadOptions;
  mapping: Mapping;
  now: PlanningTime;
  /** Read and map on a reading thread (a run), not on the calling one (a pass before or after it). */
  readingThread?: boolean;
}

/** Where a row is in the sources. */
export type RowPlace = Pick<SourceRow, "file" | "rowNo" | "line">;

/** One row of the sources with what the mapping made of it, at the instant it was mapped. */
export interface MappedRow {
  row: RowPlace;
  /** The client the row is counted under: a payload's Authlete client, else the one the row names. */
  client: string;
  result: MapResult;
  now: number;
}

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
