import { readRows } from "../read/index.js";
import type { ReadOptions } from "../read/index.js";

/**
 * Reads every source once before a live run: file-level problems (a truncated gzip, an unclosed quote,
 * a missing column) then stop the run before anything is sent, and the row count feeds the progress ETA.
 */
export async function prescan(files: readonly string[], options: ReadOptions): Promise<number> {
  let rows = 0;
  for await (const row of readRows(files, options)) {
    void row;
    rows++;
  }
  return rows;
}
