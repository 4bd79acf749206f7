import { fieldValue } from "../map/index.js";

/** What a look at a dump's rows says a column holds. */
export type ColumnKind = "iso-with-zone" | "zone-less" | "epoch-s" | "epoch-ms" | "seconds" | "text";

const isoZone = /^\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d(:?\d\d)?)$/i;
const zoneLess = /^\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d+)?)?$/;
const flagValues = /^(t|f|true|false|yes|no|y|n)$/i;

/** The kind of a column from its non-empty sample values (the first kind all of them fit). */
export function kindOf(values: readonly unknown[]): ColumnKind {
  const texts = values.filter((v) => v !== null && v !== undefined && v !== "").map(String);
  if (texts.length === 0) return "text";
  const all = (test: (t: string) => boolean) => texts.every(test);
  if (all((t) => isoZone.test(t))) return "iso-with-zone";
  if (all((t) => zoneLess.test(t))) return "zone-less";
  if (all((t) => /^\d+$/.test(t))) {
    const n = Math.max(...texts.map(Number));
    return n > 1e11 ? "epoch-ms" : n > 1e8 ? "epoch-s" : "seconds";
  }
  return "text";
}

/**
 * Counts of what a column holds, never its values (a column init does not know may hold tokens): empty,
 * zero, flags, and the kind of the rest. `sentinelZero`: 0 stands apart from otherwise epoch times.
 */
export interface ColumnEvidence {
  name: string;
  rows: number;
  empty: number;
  zero: number;
  flags: number;
  /** The kind of the values that are neither empty, 0 nor a flag. */
  kind: ColumnKind;
  /** How many values that kind covers. */
  valued: number;
}

export function columnEvidence(rows: readonly Record<string, unknown>[], name: string): ColumnEvidence {
  let empty = 0;
  let zero = 0;
  let flags = 0;
  const rest: unknown[] = [];
  for (const row of rows) {
    const value = fieldValue(row, name);
    const text = value === null || value === undefined ? "" : String(value);
    if (text === "") empty++;
    else if (text === "0") zero++;
    else if (typeof value === "boolean" || flagValues.test(text)) flags++;
    else rest.push(value);
  }
  return { name, rows: rows.length, empty, zero, flags, kind: kindOf(rest), valued: rest.length };
}

const isTime = (kind: ColumnKind) => kind !== "text" && kind !== "seconds";

/** In words, for the user: "12 empty, 3 zero, 5 epoch-s" (counts and kinds, no value). */
export function described(e: ColumnEvidence): string {
  const parts = [
    e.empty && `${e.empty} empty`,
    e.zero && `${e.zero} zero`,
    e.flags && `${e.flags} true/false`,
    e.valued && `${e.valued} ${e.kind === "text" ? "other" : e.kind}`,
  ].filter(Boolean);
  return `${parts.join(", ")} of ${e.rows} row(s) looked at`;
}

/** Names that say a column decides whether a token is alive: never ignored without a word. */
const lifeNames =
  /revok|revocation|expir|_on$|^is_|^has_|status|state|active|valid|invalid|disabled|enabled|deleted|blocked|until|ended|consumed|used|redeemed|ttl|lifetime/i;

/**
 * A column that may say a token is dead: its name, or its values (times beside empties or zeros, the
 * shape of a revocation column; or only true/false flags).
 */
export function mayDecideLife(e: ColumnEvidence): boolean {
  if (lifeNames.test(e.name)) return true;
  if (isTime(e.kind) && e.valued > 0 && e.empty + e.zero > 0) return true;
  return e.flags > 0 && e.valued === 0;
}

/** A column whose values are times (a kind a mapping reads), whatever its name. */
export const holdsTimes = (e: ColumnEvidence) => isTime(e.kind) && e.valued > 0;
