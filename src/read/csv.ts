import { parse } from "csv-parse";
import { MigrateError } from "../shared/errors.js";
import { defaultMaxRecordBytes, recordTooLarge } from "./limits.js";
import { openSource, sourceFailure } from "./open.js";
import type { ReadOptions, SourceRow } from "./types.js";

interface Skipped {
  /** Records (header included) parsed before this one: where it belongs among them. */
  records: number;
  lines: number;
  raw: string;
  code: string;
}

interface Parsed {
  record: string[];
  raw: string;
}

function newlines(text: string): number {
  let n = 0;
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) n++;
  return n;
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
 * Lines and byte offsets are counted from each record's raw text (csv-parse's `info` costs a third of
 * the parse); blank lines arrive as skipped records and only move the count.
 */
export async function* readCsv(file: string, options: ReadOptions): AsyncGenerator<SourceRow> {
  const delimiter =
    options.delimiter ?? (file.toLowerCase().replace(/\.gz$/, "").endsWith(".tsv") ? "\t" : ",");
  const skipped: Skipped[] = [];
  let rowNo = 0;
  let records = 0;
  let line = 0;
  let offset = 0;
  let header: string[] | undefined;
  const maxRecordBytes = options.maxRecordBytes ?? defaultMaxRecordBytes;
  const parser = parse({
    bom: true,
    raw: true,
    delimiter,
    skip_records_with_error: true,
    // Every record ending, whatever the first line used: a CRLF header over LF rows loses no row.
    record_delimiter: ["\r\n", "\n", "\r"],
    max_record_size: maxRecordBytes,
  });
  parser.on("skip", (error: Error & Skipped) => {
    // A quote left open swallows the rest of the file into one field, and a record over the limit is a
    // bomb, not a row: both are file, not row, problems.
    if (error.code === "CSV_MAX_RECORD_SIZE")
      parser.destroy(recordTooLarge(file, `the record at line ${error.lines}`, maxRecordBytes, rowNo + 1));
    else if (error.code === "CSV_QUOTE_NOT_CLOSED") parser.destroy(error);
    else skipped.push({ records: error.records, lines: error.lines, raw: error.raw ?? "", code: error.code });
  });
  const input = openSource(file);
  input.on("error", (error) => parser.destroy(error));
  input.pipe(parser);

  function* flushSkipped(before: number): Generator<SourceRow> {
    while (skipped.length > 0 && skipped[0]!.records <= before) {
      const s = skipped.shift()!;
      const start = { line: line + 1, offset };
      line += Math.max(1, newlines(s.raw));
      offset += Buffer.byteLength(s.raw);
      if (s.raw.trim() === "") continue;
      yield {
        file,
        rowNo: ++rowNo,
        line: start.line,
        offset: start.offset,
        fields: {},
        error: { detail: `the record cannot be parsed (${s.code}) at line ${start.line}` },
      };
    }
  }

  try {
    for await (const { record, raw } of parser as AsyncIterable<Parsed>) {
      yield* flushSkipped(records);
      records++;
      const start = { line: line + 1, offset };
      line += Math.max(1, newlines(raw));
      offset += Buffer.byteLength(raw);
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
      yield { file, rowNo: ++rowNo, line: start.line, offset: start.offset, fields };
    }
  } catch (error) {
    throw sourceFailure(file, error, rowNo);
  }
  yield* flushSkipped(Infinity);
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
