import {
  defaultMaxDepth,
  defaultMaxRecordBytes,
  opensAtMost,
  recordTooLarge,
  stopped,
  textDepth,
} from "./limits.js";
import { openSource, sourceFailure } from "./open.js";
import type { ReadOptions, SourceRow } from "./types.js";

function toRow(file: string, text: string, at: { rowNo: number; line: number }, maxDepth: number): SourceRow {
  const { rowNo, line } = at;
  const refused = (detail: string): SourceRow => ({
    file,
    rowNo,
    line,
    fields: {},
    error: { detail },
  });
  // Checked on the text, before parsing: a row nested 100,000 levels must not reach a recursive walk. A
  // row with few brackets is let through without the walk (it was an eighth of reading a flat row).
  if (text.length > 2 * maxDepth && !opensAtMost(text, maxDepth) && textDepth(text) > maxDepth)
    return refused(`line ${line} nests deeper than ${maxDepth} levels`);
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === "object" && value !== null && !Array.isArray(value)) {
      return { file, rowNo, line, fields: value as Record<string, unknown> };
    }
    return refused(`line ${line} is not a JSON object`);
  } catch {
    return refused(`line ${line} is not valid JSON`);
  }
}

/**
 * Streams NDJSON: one object per line; blank lines are not rows, garbage lines are rejected rows. The
 * pieces of a line that spans chunks are kept in a list and joined once, when its end arrives, so a long
 * line costs linear time; a line over the record limit stops the file.
 */
export async function* readNdjson(file: string, options: ReadOptions = {}): AsyncGenerator<SourceRow[]> {
  const maxRecordBytes = options.maxRecordBytes ?? defaultMaxRecordBytes;
  const maxDepth = options.maxDepth ?? defaultMaxDepth;
  let pieces: Buffer[] = [];
  let pending = 0;
  let line = 0;
  let rowNo = 0;
  const lineOf = (buffer: Buffer) => {
    const end = buffer.length > 0 && buffer[buffer.length - 1] === 0x0d ? buffer.length - 1 : buffer.length;
    const text = buffer.toString("utf8", 0, end);
    return text.trim() === "" ? null : text;
  };
  const tooLarge = () => recordTooLarge(file, `line ${line + 1}`, maxRecordBytes, rowNo + 1);
  try {
    for await (const chunk of openSource(file, options) as AsyncIterable<Buffer>) {
      if (stopped(options)) return;
      // The rows of a chunk are yielded together, as CSV's: a yield per row cost a fifth of the thread.
      const rows: SourceRow[] = [];
      let start = 0;
      for (let nl = chunk.indexOf(0x0a); nl !== -1; nl = chunk.indexOf(0x0a, start)) {
        if (pending === 0 && nl === start) {
          // An empty line: counted, nothing to decode (a file of millions of them reads at memchr speed).
          line++;
          start = nl + 1;
          continue;
        }
        if (pending + nl - start > maxRecordBytes) throw tooLarge();
        const whole =
          pending === 0 ? chunk.subarray(start, nl) : Buffer.concat([...pieces, chunk.subarray(start, nl)]);
        line++;
        const text = lineOf(whole);
        if (text !== null) rows.push(toRow(file, text, { rowNo: ++rowNo, line }, maxDepth));
        pieces = [];
        pending = 0;
        start = nl + 1;
      }
      if (start < chunk.length) {
        pieces.push(chunk.subarray(start));
        pending += chunk.length - start;
        if (pending > maxRecordBytes) throw tooLarge();
      }
      if (rows.length > 0) yield rows;
    }
  } catch (error) {
    throw sourceFailure(file, error, rowNo);
  }
  const text = lineOf(Buffer.concat(pieces));
  if (text !== null) yield [toRow(file, text, { rowNo: rowNo + 1, line: line + 1 }, maxDepth)];
}
