import { parse } from "csv-parse";
import { MigrateError } from "../shared/errors.js";
import { defaultMaxRecordBytes, recordTooLarge, stopped } from "./limits.js";
import { openSource, sourceFailure } from "./open.js";
import type { ReadOptions, SourceRow } from "./types.js";

/** A record csv-parse skipped (a blank line, a wrong field count, a stray quote), in its place in the stream. */
interface Skipped {
  skipped: { raw: string; code: string };
}

interface Parsed {
  record: string[];
  raw: string;
}

/**
 * Where a raw record sits among the lines: how many blank lines lead it (csv-parse folds skipped empty
 * lines into the next record's raw text) and how many lines it spans. A CRLF, LF or CR each end a line;
 * csv-parse keeps one character of a CRLF ending, the pair is counted once where it is kept whole.
 */
function linesOf(raw: string): { leading: number; spanned: number } {
  let breaks = 0;
  for (let i = raw.indexOf("\n"); i !== -1; i = raw.indexOf("\n", i + 1)) breaks++;
  for (let i = raw.indexOf("\r"); i !== -1; i = raw.indexOf("\r", i + 1))
    if (raw.charCodeAt(i + 1) !== 10) breaks++;
  let leading = 0;
  for (let i = 0; raw.charCodeAt(i) === 10 || raw.charCodeAt(i) === 13; i++)
    if (!(raw.charCodeAt(i) === 13 && raw.charCodeAt(i + 1) === 10)) leading++;
  return { leading, spanned: Math.max(1, breaks) };
}

/**
 * Indexes of the fields written as `""` in one raw record. PostgreSQL `COPY … CSV` writes NULL as an
 * unquoted empty field and the empty string as `""`; csv-parse reports both as "". (Its per-field
 * `cast` context tells them apart but costs five times the parse, so the raw text is read instead.)
 */
export function quotedEmptyFields(raw: string, delimiter: string): Set<number> {
  const quoted = new Set<number>();
  let field = 0;
  let i = 0;
  while (i < raw.length) {
    if (raw[i] === '"') {
      const start = i;
      i++;
      while (i < raw.length) {
        if (raw[i] === '"' && raw[i + 1] === '"') i += 2;
        else if (raw[i] === '"') break;
        else i++;
      }
      if (i === start + 1) quoted.add(field);
      i++;
    }
    while (i < raw.length && raw[i] !== delimiter && raw[i] !== "\n" && raw[i] !== "\r") i++;
    if (raw[i] === delimiter) field++;
    i++;
  }
  return quoted;
}

/**
 * Streams a CSV file as rows; a malformed record becomes a row with an error, never a lost row.
 * Lines are counted from each record's raw text (csv-parse's `info` costs a third of
 * the parse); empty lines are skipped by the parser and folded into the next record's raw text, so they
 * only move the count. Other skipped records (a wrong field count, a stray quote) are pushed into the
 * parser's own output where they occur: they keep their order among the rows, and a file of nothing but
 * broken lines is read under backpressure, not gathered in memory.
 */
export async function* readCsv(file: string, options: ReadOptions): AsyncGenerator<SourceRow> {
  const delimiter =
    options.delimiter ?? (file.toLowerCase().replace(/\.gz$/, "").endsWith(".tsv") ? "\t" : ",");
  let rowNo = 0;
  let line = 0;
  let header: string[] | undefined;
  const maxRecordBytes = options.maxRecordBytes ?? defaultMaxRecordBytes;
  const parser = parse({
    bom: true,
    raw: true,
    delimiter,
    skip_records_with_error: true,
    // Skipped by the parser, not reported one by one: a skip event costs ~30 µs, a file of blank lines hours.
    skip_empty_lines: true,
    // Every record ending, whatever the first line used: a CRLF header over LF rows loses no row.
    record_delimiter: ["\r\n", "\n", "\r"],
    max_record_size: maxRecordBytes,
  });
  parser.on("skip", (error: Error & { code: string; lines: number; raw?: string }) => {
    // A quote left open swallows the rest of the file into one field, and a record over the limit is a
    // bomb, not a row: both are file, not row, problems.
    if (error.code === "CSV_MAX_RECORD_SIZE")
      parser.destroy(recordTooLarge(file, `the record at line ${error.lines}`, maxRecordBytes, rowNo + 1));
    else if (error.code === "CSV_QUOTE_NOT_CLOSED") parser.destroy(error);
    else parser.push({ skipped: { raw: error.raw ?? "", code: error.code } } satisfies Skipped);
  });
  const input = openSource(file, options);
  input.on("error", (error) => parser.destroy(error));
  input.pipe(parser);

  /** A skipped record: a blank line only moves the count; anything else is a row with an error. */
  function skippedRow({ raw, code }: Skipped["skipped"]): SourceRow | undefined {
    const at = linesOf(raw);
    const start = line + 1 + at.leading;
    line += at.spanned;
    if (raw.trim() === "") return undefined;
    return {
      file,
      rowNo: ++rowNo,
      line: start,
      fields: {},
      error: { detail: `the record cannot be parsed (${code}) at line ${start}` },
    };
  }

  try {
    for await (const item of parser as AsyncIterable<Parsed | Skipped>) {
      if ("skipped" in item) {
        // A stretch of blank or broken lines yields no row for a long while: look at the stop signal here.
        if (stopped(options)) return;
        const row = skippedRow(item.skipped);
        if (row) yield row;
        continue;
      }
      const { record, raw } = item;
      const at = linesOf(raw);
      const start = line + 1 + at.leading;
      line += at.spanned;
      if (!header) {
        header = record;
        checkHeader(file, header);
        options.onHeader?.(file, header);
        continue;
      }
      const quoted = raw.includes('""') ? quotedEmptyFields(raw, delimiter) : undefined;
      const fields: Record<string, string | null> = {};
      for (let i = 0; i < header.length; i++) {
        const value = record[i]!;
        fields[header[i]!] = value === "" && !quoted?.has(i) ? null : value;
      }
      yield { file, rowNo: ++rowNo, line: start, fields };
    }
  } catch (error) {
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
