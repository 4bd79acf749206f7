// Loaded where the rows are read (a reading thread, see read/row-transform.ts): each row is mapped, its
// tokens hashed, there, so that a run's main thread only records what the mapping made.
import { mapRow, reportedClient, type Mapping } from "../map/index.js";
import type { SourceRow } from "../read/index.js";
import type { MappedRow, PlanningTime } from "./types.js";

export function prepare(data: { mapping: Mapping; now: PlanningTime }): (row: SourceRow) => MappedRow {
  const { mapping, now: planning } = data;
  return (row) => {
    const now = typeof planning === "number" ? planning : Date.now() + planning.offsetMs;
    const result = mapRow(row, { mapping, now });
    // A payload's client is the one it is sent to; a refused row is counted under the client it names.
    const client =
      result.kind === "payload" ? String(result.request.clientId) : reportedClient(row.fields, mapping);
    // The field values stay here: what is sent is in the payload.
    return { row: { file: row.file, rowNo: row.rowNo, line: row.line }, client, result, now };
  };
}

export { pack, unpack } from "./mapped-batch.js";
