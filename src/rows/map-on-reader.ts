// Loaded where the rows are read (a reading thread, see read/row-transform.ts): each row is mapped there;
// a payload's tokens are hashed where it is taken (`unpack`), on the thread that would otherwise wait.
import { mapRowUnkeyed, reportedClient, type Mapping } from "../map/rows.js";
import type { SourceRow } from "../read/index.js";
import type { PlanningTime, UnkeyedRow } from "./types.js";

export function prepare(data: { mapping: Mapping; now: PlanningTime }): (row: SourceRow) => UnkeyedRow {
  const { mapping, now: planning } = data;
  return (row) => {
    const now = typeof planning === "number" ? planning : Date.now() + planning.offsetMs;
    const result = mapRowUnkeyed(row, { mapping, now });
    // A payload's client is the one it is sent to; a refused row is counted under the client it names.
    const client =
      result.kind === "payload" ? String(result.request.clientId) : reportedClient(row.fields, mapping);
    // The field values stay here: what is sent is in the payload.
    return { row: { file: row.file, rowNo: row.rowNo, line: row.line }, client, result, now };
  };
}

export { keyRow, keyRow as take, pack, unpack } from "./mapped-batch.js";
