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
