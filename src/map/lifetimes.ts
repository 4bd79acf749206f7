import { asListValue, fieldValue, isAbsent } from "./fields.js";
import { parseInstant, parseSeconds } from "./time.js";
import type { ColumnName, Mapping } from "./types.js";

/** An instant in epoch ms, "never", "none" (no value, not listed as never), or a parse failure. */
export type Instant = number | "never" | "none" | { invalid: ColumnName };

interface Source {
  fields: Record<string, unknown>;
  mapping: Mapping;
}

function listed(list: readonly (string | null)[], value: unknown): boolean {
  return list.includes(asListValue(value));
}

/** Reads a mapped timestamp column. */
export function readInstant({ fields, mapping }: Source, column: ColumnName): Instant {
  const path = mapping.columns[column];
  if (!path) return "none";
  const value = fieldValue(fields, path);
  if (listed(mapping.time.neverExpires, value)) return "never";
  if (isAbsent(value) || value === "") return "none";
  return parseInstant(value, mapping.time.timezone) ?? { invalid: column };
}

/** An expiry from an absolute column, else from issuedAt + a duration column. */
export function readExpiry(source: Source, at: ColumnName, within: ColumnName): Instant {
  const { fields, mapping } = source;
  if (mapping.columns[at]) return readInstant(source, at);
  const path = mapping.columns[within];
  if (!path) return "none";
  const value = fieldValue(fields, path);
  if (listed(mapping.time.neverExpires, value)) return "never";
  if (isAbsent(value) || value === "") return "none";
  const seconds = parseSeconds(value);
  if (seconds === undefined) return { invalid: within };
  const issued = readInstant(source, "issuedAt");
  if (typeof issued !== "number") return { invalid: "issuedAt" };
  return issued + seconds * 1000;
}

/** issuedAt + seconds + factor × a duration column: a computed expiry, invalid when a part is. */
export function computedExpiry(
  source: Source,
  rule: NonNullable<Mapping["accessTokenExpiry"]>,
): Instant | { invalid: ColumnName } {
  const issued = readInstant(source, "issuedAt");
  if (issued === "never") return "never";
  if (typeof issued !== "number") return issued === "none" ? "none" : issued;
  let seconds = rule.seconds ?? 0;
  if (rule.column !== undefined) {
    const value = fieldValue(source.fields, rule.column);
    if (listed(source.mapping.time.neverExpires, value)) return "never";
    const duration = isAbsent(value) || value === "" ? undefined : parseSeconds(value);
    // Named by the slot it fills: the row's refusal names the mapping's duration column.
    if (duration === undefined) return { invalid: "accessTokenExpiresIn" };
    seconds += rule.factor * duration;
  }
  return issued + seconds * 1000;
}

export type Revocation = { revoked: true } | { revoked: false; capAt?: number } | { invalid: ColumnName };

const revokedFlags = new Set(["t", "true", "1", "yes", "y"]);
const liveFlags = new Set(["f", "false", "0", "no", "n"]);

/**
 * A revocation column: a timestamp (revoked once it is past; a future one caps the expiry) or a flag
 * (Passport's `revoked`, Hydra's inverted `active` needs the mapping to name a revoked-style column).
 */
export function readRevocation(source: Source, column: ColumnName, now: number): Revocation {
  const { fields, mapping } = source;
  const path = mapping.columns[column];
  if (!path) return { revoked: false };
  const value = fieldValue(fields, path);
  if (listed(mapping.time.notRevoked, value) || isAbsent(value)) return { revoked: false };
  if (typeof value === "boolean") return { revoked: value };
  const text = String(value).trim().toLowerCase();
  if (revokedFlags.has(text)) return { revoked: true };
  if (liveFlags.has(text)) return { revoked: false };
  const at = parseInstant(value, mapping.time.timezone);
  if (at === undefined) return { invalid: column };
  return at <= now ? { revoked: true } : { revoked: false, capAt: at };
}
