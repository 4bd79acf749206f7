import { openSource, sourceFailure } from "./open.js";
import type { SourceRow } from "./types.js";

function toRow(file: string, text: string, rowNo: number, line: number, offset: number): SourceRow {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === "object" && value !== null && !Array.isArray(value)) {
      return { file, rowNo, line, offset, fields: value as Record<string, unknown> };
    }
    return { file, rowNo, line, offset, fields: {}, error: { detail: `line ${line} is not a JSON object` } };
  } catch {
    return { file, rowNo, line, offset, fields: {}, error: { detail: `line ${line} is not valid JSON` } };
  }
}

/** Streams NDJSON: one object per line; blank lines are not rows, garbage lines are rejected rows. */
export async function* readNdjson(file: string): AsyncGenerator<SourceRow> {
  let rest: Buffer = Buffer.alloc(0);
  let restOffset = 0;
  let line = 0;
  let rowNo = 0;
  const lineOf = (buffer: Buffer, start: number, end: number) => {
    const text = buffer.toString("utf8", start, end > start && buffer[end - 1] === 0x0d ? end - 1 : end);
    return text.trim() === "" ? null : text;
  };
  try {
    for await (const chunk of openSource(file) as AsyncIterable<Buffer>) {
      const buffer = rest.length > 0 ? Buffer.concat([rest, chunk]) : chunk;
      let start = 0;
      for (let nl = buffer.indexOf(0x0a); nl !== -1; nl = buffer.indexOf(0x0a, start)) {
        line++;
        const text = lineOf(buffer, start, nl);
        if (text !== null) yield toRow(file, text, ++rowNo, line, restOffset + start);
        start = nl + 1;
      }
      restOffset += start;
      rest = buffer.subarray(start);
    }
  } catch (error) {
    throw sourceFailure(file, error, rowNo);
  }
  const text = lineOf(rest, 0, rest.length);
  if (text !== null) yield toRow(file, text, rowNo + 1, line + 1, restOffset);
}
