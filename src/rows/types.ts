import type { MapResult, Mapping, UnkeyedResult } from "../map/index.js";
import type { ReadOptions, SourceRow } from "../read/index.js";

/**
 * The planning instant (ms), or the host's clock moved by `offsetMs`, read again for every row as it is
 * mapped (a long run's lifetimes). A reading thread reads it too: threads share the process's clock.
 */
export type PlanningTime = number | { offsetMs: number };

/** Where the rows come from and how they are mapped. */
export interface MappedSource {
  files: readonly string[];
  read: ReadOptions;
  mapping: Mapping;
  now: PlanningTime;
}

/** Where a row is in the sources. */
export type RowPlace = Pick<SourceRow, "file" | "rowNo" | "line">;

/** One row of the sources with what the mapping made of it, at the instant it was mapped. */
export interface MappedRow {
  row: RowPlace;
  /** The client the row is counted under: a payload's Authlete client, else the one the row names. */
  client: string;
  result: MapResult;
  now: number;
}

/** A mapped row as the reading thread makes it: a payload's ledger keys are hashed where it is taken. */
export interface UnkeyedRow extends Omit<MappedRow, "result"> {
  result: UnkeyedResult;
}
