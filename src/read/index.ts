import { readCsv } from "./csv.js";
import { readJsonArray } from "./json-array.js";
import { readNdjson } from "./ndjson.js";
import { detectFormat } from "./open.js";
import type { ReadOptions, SourceRow } from "./types.js";

/** Streams the rows of every file in order, each with its file, row number and byte offset. */
export async function* readRows(
  files: readonly string[],
  options: ReadOptions = {},
): AsyncGenerator<SourceRow> {
  const formats = files.map((file) => detectFormat(file, options.format));
  for (const [i, file] of files.entries()) {
    const format = formats[i];
    if (format === "csv") yield* readCsv(file, options);
    else if (format === "json") yield* readJsonArray(file);
    else yield* readNdjson(file);
  }
}

export { detectFormat } from "./open.js";
export { readRowsInWorker } from "./in-worker.js";
export type { ReadOptions, SourceFormat, SourceRow } from "./types.js";
