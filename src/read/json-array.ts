import StreamArray from "stream-json/streamers/StreamArray.js";
import { openSource, sourceFailure } from "./open.js";
import { defaultMaxDepth, nestingDepth } from "./limits.js";
import type { ReadOptions, SourceRow } from "./types.js";

/** Streams the elements of a top-level JSON array at constant memory (stream-json), one row each. */
export async function* readJsonArray(file: string, options: ReadOptions = {}): AsyncGenerator<SourceRow> {
  const maxDepth = options.maxDepth ?? defaultMaxDepth;
  const input = openSource(file, options);
  const elements = StreamArray.withParser();
  input.on("error", (error) => elements.destroy(error));
  input.pipe(elements);
  let rowNo = 0;
  try {
    for await (const { value } of elements as AsyncIterable<{ key: number; value: unknown }>) {
      rowNo++;
      const isRecord = typeof value === "object" && value !== null && !Array.isArray(value);
      if (isRecord && nestingDepth(value, maxDepth) > maxDepth) {
        yield {
          file,
          rowNo,
          fields: {},
          error: { detail: `array element ${rowNo} nests deeper than ${maxDepth} levels` },
        };
        continue;
      }
      yield isRecord
        ? { file, rowNo, fields: value as Record<string, unknown> }
        : {
            file,
            rowNo,
            fields: {},
            error: { detail: `array element ${rowNo} is not a JSON object` },
          };
    }
  } catch (error) {
    throw sourceFailure(file, error, rowNo);
  }
}
