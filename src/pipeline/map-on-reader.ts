// Loaded where the rows are read (a reading thread, see read/row-transform.ts): each row is mapped, its
// tokens hashed, there, so that a run's main thread only records what the mapping made.
import { mapRow, type Mapping } from "../map/index.js";
import type { SourceRow } from "../read/index.js";
import type { MappedRow, PlanningTime } from "./mapped-rows.js";

export function prepare(data: { mapping: Mapping; now: PlanningTime }): (row: SourceRow) => MappedRow {
  const { mapping, now: planning } = data;
  return (row) => {
    const now = typeof planning === "number" ? planning : Date.now() + planning.offsetMs;
    return { row, result: mapRow(row, { mapping, now }), now };
  };
}
