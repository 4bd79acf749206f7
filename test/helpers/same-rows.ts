// A row transform that changes nothing: the reading thread's own rows, for the tests that compare them.
import type { SourceRow } from "../../src/read/index.js";

export function prepare(): (row: SourceRow) => SourceRow {
  return (row) => row;
}
