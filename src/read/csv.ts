import { parse, type CastingContext } from "csv-parse";
import { MigrateError } from "../shared/errors.js";
import { openSource, sourceFailure } from "./open.js";
import type { ReadOptions, SourceRow } from "./types.js";

interface Skipped {
  lines: number;
  bytes: number;
  code: string;
}

/** PostgreSQL `COPY … CSV`: an unquoted empty field is NULL, a quoted one ("") is the empty string. */
function copyNulls(value: string, context: CastingContext): string | null {
  if (context.header) return value;
  return value === "" && !context.quoting ? null : value;
}

/** Streams a CSV file as rows; a malformed record becomes a row with an error, never a lost row. */
export async function* readCsv(file: string, options: ReadOptions): AsyncGenerator<SourceRow> {
  const skipped: Skipped[] = [];
  let rowNo = 0;
  let offset = 0;
  const parser = parse({
    bom: true,
    info: true,
    delimiter: options.delimiter ?? (file.toLowerCase().replace(/\.gz$/, "").endsWith(".tsv") ? "\t" : ","),
    skip_records_with_error: true,
    skip_empty_lines: true,
    cast: copyNulls,
    columns: (header: string[]) => {
      const seen = new Set<string>();
      for (const name of header) {
        if (seen.has(name))
          throw new MigrateError(
            "source_invalid",
            `${file}: the header names column ${JSON.stringify(name)} twice`,
            { file, row: 0, column: name },
          );
        seen.add(name);
      }
      options.onHeader?.(file, header);
      offset = parser.info.bytes;
      return header;
    },
  });
  parser.on("skip", (error: Error & { lines: number; bytes: number; code: string }) => {
    // A quote left open swallows the rest of the file into one field: that is a file, not a row, problem.
    if (error.code === "CSV_QUOTE_NOT_CLOSED") parser.destroy(error);
    else skipped.push({ lines: error.lines, bytes: error.bytes, code: error.code });
  });
  const input = openSource(file);
  input.on("error", (error) => parser.destroy(error));
  input.pipe(parser);

  const rejected = (s: Skipped): SourceRow => ({
    file,
    rowNo: ++rowNo,
    line: s.lines,
    offset,
    fields: {},
    error: { detail: `the record cannot be parsed (${s.code}) at line ${s.lines}` },
  });
  try {
    for await (const item of parser as AsyncIterable<{
      record: Record<string, string | null>;
      info: { lines: number; bytes: number };
    }>) {
      while (skipped.length > 0 && skipped[0]!.lines < item.info.lines) yield rejected(skipped.shift()!);
      yield { file, rowNo: ++rowNo, line: item.info.lines, offset, fields: item.record };
      offset = item.info.bytes;
    }
  } catch (error) {
    throw sourceFailure(file, error, rowNo);
  }
  while (skipped.length > 0) yield rejected(skipped.shift()!);
  if (rowNo === 0 && parser.info.lines <= 1 && parser.info.bytes === 0) {
    throw new MigrateError("source_invalid", `${file}: the file is empty (no header)`, { file });
  }
}
