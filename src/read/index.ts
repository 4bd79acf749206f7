import { statSync } from "node:fs";
import { MigrateError } from "../shared/errors.js";
import { readCsv } from "./csv.js";
import { readJsonArray } from "./json-array.js";
import { readNdjson } from "./ndjson.js";
import { transformedInWorker } from "./in-worker.js";
import { loadTransform, type RowTransform } from "./row-transform.js";
import { stopped } from "./limits.js";
import { detectFormat, readOnce } from "./open.js";
import type { ReadOptions, SourceRow } from "./types.js";

/** Streams the rows of every file in order, each with its file, record number and line. */
export async function* readRows(
  files: readonly string[],
  options: ReadOptions = {},
): AsyncGenerator<SourceRow> {
  for await (const batch of readRowBatches(files, options))
    for (const row of batch) {
      if (stopped(options)) break;
      yield row;
    }
}

/** The rows of `readRows`, a few hundred at a time where the format reads them so (CSV). */
export async function* readRowBatches(
  files: readonly string[],
  options: ReadOptions = {},
): AsyncGenerator<SourceRow[]> {
  const formats = files.map((file) => detectFormat(file, options.format));
  for (const [i, file] of files.entries()) {
    const format = formats[i];
    const batches =
      format === "csv"
        ? readCsv(file, options)
        : announced(
            format === "json" ? single(readJsonArray(file, options)) : readNdjson(file, options),
            options,
          );
    for await (const batch of batches) {
      if (stopped(options)) break;
      yield batch;
    }
    if (stopped(options)) {
      if (options.end?.aborted) return;
      throw new MigrateError("interrupted", "stopped by a signal before the run began; nothing was sent");
    }
  }
}

/** A JSON array's elements, each a batch of one (stream-json gives them one at a time). */
async function* single(rows: AsyncGenerator<SourceRow>): AsyncGenerator<SourceRow[]> {
  for await (const row of rows) yield [row];
}

/**
 * JSON rows. Their keys stand in for a header: each key is announced (`onHeader`, keys only) before the
 * batch of the first row that holds it, so a column the mapping does not account for is refused before
 * that row is used, whichever row first brings it.
 */
async function* announced(
  batches: AsyncGenerator<SourceRow[]>,
  options: ReadOptions,
): AsyncGenerator<SourceRow[]> {
  const seen = new Set<string>();
  for await (const batch of batches) {
    // Only when asked: a key check per row is wasted on a mapping that does not account for columns.
    if (options.announceKeys && options.onHeader)
      for (const row of batch) {
        let fresh: string[] | undefined;
        for (const key in row.fields) if (!seen.has(key)) (fresh ??= []).push(key);
        if (fresh) {
          for (const key of fresh) seen.add(key);
          options.onHeader(row.file, fresh, true);
        }
      }
    yield batch;
  }
}

/** Bytes of dump (gzipped ones counted as 10 times their size) from which a run reads on a thread. */
const readingThreadFromBytes = 1024 * 1024;

function smallerThan(files: readonly string[], bytes: number): boolean {
  let total = 0;
  for (const file of files) {
    // Only a regular file tells its size: a pipe (`<(zcat dump.gz)`) may be any length, and one that
    // cannot be read is read where its error is reported as ever.
    const stat = statSync(file, { throwIfNoEntry: false });
    if (!stat?.isFile()) return false;
    total += stat.size * (file.toLowerCase().endsWith(".gz") ? 10 : 1);
  }
  return total < bytes;
}

/**
 * The rows for a run, each passed through `transform` (mapped), a batch at a time: on a reading thread for
 * CSV and NDJSON, so parsing and the transform take one core and the caller's thread only records what
 * they made. A JSON array is read on the calling thread: its streaming parser is the bottleneck either
 * way, and its garbage in a second heap cost ~35 MB for a 10 % gain.
 */
export async function* readRowsForRun<T>(
  files: readonly string[],
  options: ReadOptions,
  transform: RowTransform,
): AsyncGenerator<T[]> {
  // Standard input is this process's: it is read where it is (and a JSON array parses no faster apart).
  // A small dump is read here too: the thread's start-up (its own copy of the mapper and its modules)
  // costs more than the whole read would.
  const apart = !files.some((file) => readOnce(file) || detectFormat(file, options.format) === "json");
  if (apart && !smallerThan(files, readingThreadFromBytes))
    return yield* transformedInWorker<T>(files, options, transform);
  const { prepare, take = (item: unknown) => item as T } = await loadTransform<T>(transform);
  const apply = prepare(transform.data);
  for await (const batch of readRowBatches(files, options)) yield batch.map((row) => take(apply(row)));
}

export { detectFormat, gzipRatioCheckedFromMiB, readOnce, standardInput } from "./open.js";
export { postgresqlSource } from "./postgresql.js";
export type { ReadOptions, SourceFormat, SourceRow } from "./types.js";
export type { RowTransform } from "./row-transform.js";
export { lastContentByte } from "./last-byte.js";
