import assert from "node:assert/strict";
import { test } from "node:test";
import { parse } from "csv-parse/sync";
import fc from "fast-check";
import { CsvRecords, CsvTextError, type CsvRecord } from "../../src/read/csv-records.js";

type Outcome = { line: number; fields: (string | null)[] } | { line: number; error: string };

/**
 * The oracle: csv-parse with the options the reader used, NULL told from "" by csv-parse's own cast; the
 * lines are the test's own count (csv-parse's raw text drops a blank LF line after a blank CRLF one).
 */
function byCsvParse(text: string, delimiter: string, starts: number[]): Outcome[] {
  const events: ({ raw: string; fields: (string | null)[] } | { raw: string; error: string })[] = [];
  parse(text, {
    bom: true,
    raw: true,
    delimiter,
    skip_records_with_error: true,
    skip_empty_lines: true,
    record_delimiter: ["\r\n", "\n", "\r"],
    cast: (value: string, context: { quoting: boolean }) => (value === "" && !context.quoting ? null : value),
    on_record: ({ record, raw }: { record: (string | null)[]; raw: string }) => {
      events.push({ raw, fields: record });
      return null;
    },
    on_skip: (error: { code: string; raw?: string } | undefined) =>
      events.push({ raw: error?.raw ?? "", error: error?.code ?? "?" }),
  } as never);
  assert.equal(events.length, starts.length, "one csv-parse record or skip per line that is not empty");
  return events.flatMap((event, i): Outcome[] =>
    "fields" in event
      ? [{ line: starts[i]!, fields: event.fields }]
      : event.raw.trim() === ""
        ? []
        : [{ line: starts[i]!, error: event.error }],
  );
}

function byCsvRecords(chunks: string[], delimiter: string, max = 1 << 20): CsvRecord[] {
  const records = new CsvRecords(delimiter, max);
  return [...chunks.flatMap((chunk) => records.write(chunk)), ...records.end()];
}

/** Cuts text into pieces at the given fractions (a CR and its LF, a quote and its twin, land apart). */
function cut(text: string, at: number[]): string[] {
  const points = [...new Set(at.map((f) => Math.floor(f * text.length)))].sort((a, b) => a - b);
  return [0, ...points].map((from, i) => text.slice(from, points[i] ?? text.length));
}

const ending = fc.constantFrom("\n", "\r\n", "\r");
const plain = fc.stringMatching(/^[a-z0-9 _\-.:=+/]{0,6}$/);
const anyText = fc.stringMatching(/^[a-z ",;\t\r\n]{0,8}$/);
const field = fc.oneof(
  plain,
  anyText.map((value) => `"${value.replaceAll('"', '""')}"`),
);

test("CSV records: the same rows, NULLs and lines as csv-parse, however the text is cut into chunks", () => {
  const line = fc.oneof(
    { weight: 6, arbitrary: fc.array(field, { minLength: 2, maxLength: 4 }) },
    { weight: 1, arbitrary: fc.constantFrom([""], ["   "], ['"  "'], ['""']) },
  );
  fc.assert(
    fc.property(
      fc.constantFrom(",", ";", "\t"),
      fc.boolean(),
      fc.array(fc.tuple(line, ending), { maxLength: 12 }),
      fc.boolean(),
      fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 6 }),
      (delimiter, bom, lines, lastEnding, at) => {
        let text = `${bom ? "\uFEFF" : ""}a${delimiter}b${delimiter}c\n`;
        // The line each line that is not empty starts on: the line breaks before it, quoted ones too.
        const starts = [1];
        lines.forEach(([fields, end], i) => {
          const line = fields.join(delimiter);
          if (line !== "") starts.push(1 + (text.match(/\r\n|\n|\r/g)?.length ?? 0));
          text += line + (i < lines.length - 1 || lastEnding ? end : "");
        });
        const expected = byCsvParse(text, delimiter, starts);
        assert.deepEqual(byCsvRecords(cut(text, at), delimiter), expected);
      },
    ),
    { numRuns: 3000, seed: 20261126 },
  );
});

test("a stray quote makes its record an error and reading goes on at the next line", () => {
  const rows = (text: string) =>
    byCsvRecords([text], ",").map((r) =>
      "error" in r ? `${r.line}: ${r.error}` : `${r.line}: ${r.fields[0]}`,
    );
  assert.deepEqual(rows('a,b\nA1,u"1,x\nA2,u2\n'), ["1: a", "2: INVALID_OPENING_QUOTE", "3: A2"]);
  // csv-parse went on inside the record after the closing quote and lost the rest of the file here.
  assert.deepEqual(rows('a,b\n"A1"x,u1\nA2,u2\n'), ["1: a", "2: CSV_INVALID_CLOSING_QUOTE", "3: A2"]);
  assert.deepEqual(rows('a,b\n"A1" ,u1\r\nA2,u2'), ["1: a", "2: CSV_INVALID_CLOSING_QUOTE", "3: A2"]);
});

test("a quote left open and a record over the limit stop the text, located at the record's first line", () => {
  const failure = (chunks: string[], max = 1 << 20) => {
    try {
      byCsvRecords(chunks, ",", max);
    } catch (error) {
      assert.ok(error instanceof CsvTextError);
      return `${error.code} ${error.line}`;
    }
    return "read to the end";
  };
  assert.equal(failure(['a,b\nA1,u1\n\n"A2,u2\nA3,u3\n']), "CSV_QUOTE_NOT_CLOSED 4");
  const big = "x".repeat(100_000);
  const pieces = cut(`a,b\nA1,u1\r\n${big},u2\nA3,u3\n`, [0.1, 0.2, 0.3, 0.5, 0.7, 0.9]);
  assert.equal(failure(pieces, 50_000), "CSV_MAX_RECORD_SIZE 3");
  // Within the limit, the long record is one record, however many chunks it spans.
  const records = byCsvRecords(pieces, ",", 200_000);
  assert.deepEqual(
    records.map((r) => ("fields" in r ? [r.line, r.fields[0]!.length] : r.error)),
    [
      [1, 1],
      [2, 2],
      [3, big.length],
      [4, 2],
    ],
  );
});
