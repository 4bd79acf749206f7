import { asListValue, fieldValue, isAbsent } from "./fields.js";
import { parseInstant, parseSeconds } from "./time.js";
import type { ColumnName, Mapping, RevocationColumn } from "./types.js";

/** An instant in epoch ms, "never", "none" (no value, not listed as never), or a parse failure. */
export type Instant = number | "never" | "none" | { invalid: ColumnName };

interface Source {
  fields: Record<string, unknown>;
  mapping: Mapping;
}

type Sentinels = Readonly<Record<string, readonly (string | null)[]>>;

/** True when the value of the source column at `path` is one of its sentinels (its own or every column's). */
function listed(sentinels: Sentinels, path: string, value: unknown): boolean {
  const text = asListValue(value);
  return sentinels["*"]!.includes(text) || (sentinels[path]?.includes(text) ?? false);
}

/** Reads a mapped timestamp column. */
export function readInstant({ fields, mapping }: Source, column: ColumnName): Instant {
  const path = mapping.columns[column];
  if (!path) return "none";
  const value = fieldValue(fields, path);
  if (listed(mapping.time.neverExpires, path, value)) return "never";
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
  if (listed(mapping.time.neverExpires, path, value)) return "never";
  if (isAbsent(value) || value === "") return "none";
  const seconds = parseSeconds(value);
  if (seconds === undefined) return { invalid: within };
  const issued = readInstant(source, "issuedAt");
  if (typeof issued !== "number") return { invalid: "issuedAt" };
  return issued + seconds * 1000;
}

/**
 * A base instant (the issue time, or the access expiry for a refresh token) + seconds + factor × a
 * duration column: a computed expiry, invalid when a part is. `slot` names the refusal's column.
 */
export function computedExpiry(
  source: Source,
  rule: { seconds?: number; column?: string; factor: number },
  base: Instant,
  slot: ColumnName,
): Instant | { invalid: ColumnName } {
  if (base === "never") return "never";
  if (typeof base !== "number") return base;
  let seconds = rule.seconds ?? 0;
  if (rule.column !== undefined) {
    const value = fieldValue(source.fields, rule.column);
    if (listed(source.mapping.time.neverExpires, rule.column, value)) return "never";
    const duration = isAbsent(value) || value === "" ? undefined : parseSeconds(value);
    if (duration === undefined) return { invalid: slot };
    seconds += rule.factor * duration;
  }
  return base + seconds * 1000;
}

/** `path`: which source column of a revocation list holds the value that is none of its forms. */
export type Revocation =
  { revoked: true } | { revoked: false; capAt?: number } | { invalid: ColumnName; path: string };

const revokedFlags = new Set(["t", "true", "1", "yes", "y"]);
const liveFlags = new Set(["f", "false", "0", "no", "n"]);

/** One revocation source column: a timestamp (revoked once past; a future one caps) or a flag. */
function revocationAt(source: Source, column: RevocationColumn, path: string, now: number): Revocation {
  const { fields, mapping } = source;
  const value = fieldValue(fields, path);
  // The lists first: a column of words, or flags read the other way round (Hydra's `active`).
  if (listed(mapping.time.notRevoked, path, value) || isAbsent(value)) return { revoked: false };
  if (listed(mapping.time.revoked, path, value)) return { revoked: true };
  if (typeof value === "boolean") return { revoked: value };
  const text = String(value).trim().toLowerCase();
  if (revokedFlags.has(text)) return { revoked: true };
  if (liveFlags.has(text)) return { revoked: false };
  const at = parseInstant(value, mapping.time.timezone);
  if (at === undefined) return { invalid: column, path };
  return at <= now ? { revoked: true } : { revoked: false, capAt: at };
}

/**
 * A revocation column, over every source column it lists: revoked when any of them says so, else capped
 * at the earliest future time (Passport's `revoked` flag, Authlib's two epoch columns, a status column
 * or Hydra's inverted `active` through `time.revoked` and `time.notRevoked`).
 */
export function readRevocation(source: Source, column: RevocationColumn, now: number): Revocation {
  let capAt: number | undefined;
  for (const path of source.mapping.revocations[column]) {
    const one = revocationAt(source, column, path, now);
    if ("invalid" in one || one.revoked) return one;
    if (one.capAt !== undefined) capAt = Math.min(capAt ?? Number.POSITIVE_INFINITY, one.capAt);
  }
  return capAt === undefined ? { revoked: false } : { revoked: false, capAt };
}
