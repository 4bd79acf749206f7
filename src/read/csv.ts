import { MigrateError } from "../shared/errors.js";
import { CsvRecords, CsvTextError } from "./csv-records.js";
import { defaultMaxRecordBytes, recordTooLarge, stopped } from "./limits.js";
import { openSource, sourceFailure } from "./open.js";
import type { ReadOptions, SourceRow } from "./types.js";

/**
 * Streams a CSV file as rows, the rows of each chunk together (a yield per row was a tenth of the reading
 * thread); a malformed record becomes a row with an error in its place, never a lost row. A quote left
 * open at the end and a record over the size limit (a bomb, not a row) stop the file.
 */
export async function* readCsv(file: string, options: ReadOptions): AsyncGenerator<SourceRow[]> {
  const delimiter =
    options.delimiter ?? (file.toLowerCase().replace(/\.gz$/, "").endsWith(".tsv") ? "\t" : ",");
  let rowNo = 0;
  let header: string[] | undefined;
  const maxRecordBytes = options.maxRecordBytes ?? defaultMaxRecordBytes;
  // The limit is counted in UTF-16 code units: the bytes of an ASCII dump.
  const records = new CsvRecords(delimiter, maxRecordBytes);
  const input = openSource(file, options);
  input.setEncoding("utf8");
  try {
    let done = false;
    const chunks = input[Symbol.asyncIterator]() as AsyncIterator<string>;
    while (!done) {
      const next = await chunks.next();
      done = next.done === true;
      // A stretch of blank lines yields no row for a long while: look at the stop signal here too.
      if (stopped(options)) return;
      const rows: SourceRow[] = [];
      for (const record of done ? records.end() : records.write(next.value)) {
        if ("error" in record) {
          const detail = `the record cannot be parsed (${record.error}) at line ${record.line}`;
          rows.push({ file, rowNo: ++rowNo, line: record.line, fields: {}, error: { detail } });
          continue;
        }
        if (!header) {
          header = record.fields.map((name) => name ?? "");
          checkHeader(file, header);
          options.onHeader?.(file, header);
          continue;
        }
        const fields: Record<string, string | null> = {};
        for (let i = 0; i < header.length; i++) fields[header[i]!] = record.fields[i]!;
        rows.push({ file, rowNo: ++rowNo, line: record.line, fields });
      }
      if (rows.length > 0) yield rows;
    }
  } catch (error) {
    // A stop signal ends a source that had nothing to give yet (a query that has sent nothing): no error.
    if (stopped(options) && !(error instanceof CsvTextError)) return;
    if (error instanceof CsvTextError && error.code === "CSV_MAX_RECORD_SIZE")
      throw recordTooLarge(file, `the record at line ${error.line}`, maxRecordBytes, rowNo + 1);
    throw sourceFailure(file, error, rowNo);
  } finally {
    // Ending early (a stop, a limit) closes the file too.
    input.destroy();
  }
  if (!header) throw new MigrateError("source_invalid", `${file}: the file is empty (no header)`, { file });
}

function checkHeader(file: string, header: string[]): void {
  const seen = new Set<string>();
  for (const name of header) {
    if (seen.has(name)) {
      throw new MigrateError(
        "source_invalid",
        `${file}: the header names column ${JSON.stringify(name)} twice`,
        { file, row: 0, column: name },
      );
    }
    seen.add(name);
  }
}
