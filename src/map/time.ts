import { DateTime } from "luxon";
import { latestInstantMs } from "../shared/numbers.js";

const isoLike =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const epochLike = /^-?\d+(?:\.\d+)?$/;
/** Epoch values beyond this are treated as milliseconds (1e11 s is the year 5138). */
const secondsLimit = 1e11;
const earliest = Date.UTC(1970, 0, 1);

function daysIn(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * Epoch ms of a UTC date and time, by days-from-civil arithmetic (H. Hinnant): twice the speed of
 * Date.UTC, which this runs for every expiry of a dump, and without Date.UTC's reading of years 0–99 as
 * 1900–1999 ("0070-01-01" is the year 70, not 1970).
 */
function utcMs(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  ms: number,
): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  const days = era * 146_097 + dayOfEra - 719_468;
  return ((days * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + ms;
}

/** A zone offset in minutes; undefined beyond what exists (±14:00, minutes 0–59), e.g. -99:99. */
function zoneOffsetMinutes(zone: string): number | undefined {
  const sign = zone.startsWith("-") ? -1 : 1;
  const digits = zone.slice(1).replace(":", "");
  const [hours, minutes] = [Number(digits.slice(0, 2)), Number(digits.slice(2, 4) || 0)];
  if (hours > 14 || minutes > 59 || (hours === 14 && minutes > 0)) return undefined;
  return sign * (hours * 60 + minutes);
}

/** The number of `length` ASCII digits at `from`, or NaN. */
function digitsAt(text: string, from: number, length: number): number {
  let n = 0;
  for (let i = from; i < from + length; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return Number.NaN;
    n = n * 10 + d;
  }
  return n;
}

/**
 * The common shape `YYYY-MM-DDTHH:MM:SS[.mmm]Z` read without the general pattern (the pattern was a tenth
 * of a dry run): epoch ms, undefined when not a time, null when the text has another shape.
 */
function canonicalUtc(text: string): number | undefined | null {
  const n = text.length;
  if ((n !== 20 && n !== 24) || text[n - 1] !== "Z" || text[10] !== "T") return null;
  if (text[4] !== "-" || text[7] !== "-" || text[13] !== ":" || text[16] !== ":") return null;
  if (n === 24 && text[19] !== ".") return null;
  // One value at a time, no arrays: this runs twice for every row of a dump.
  const year = digitsAt(text, 0, 4);
  const month = digitsAt(text, 5, 2);
  const day = digitsAt(text, 8, 2);
  const hour = digitsAt(text, 11, 2);
  const minute = digitsAt(text, 14, 2);
  const second = digitsAt(text, 17, 2);
  const millis = n === 24 ? digitsAt(text, 20, 3) : 0;
  // A part that is not all digits is NaN, and so is any sum holding it.
  if (Number.isNaN(year + month + day + hour + minute + second + millis)) return null;
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  return utcMs(year, month, day, hour, minute, second, millis);
}

/**
 * Parses a legacy timestamp into epoch ms: ISO 8601 or SQL style, with or without a zone (zone-less
 * values are wall-clock time in `timezone`), epoch seconds or epoch milliseconds. Fractions below a
 * millisecond are truncated, so an expiry never moves later. Undefined when the value is not a time.
 */
export function parseInstant(value: unknown, timezone: string): number | undefined {
  let ms: number | undefined;
  if (typeof value === "number") {
    ms = Number.isFinite(value) ? (Math.abs(value) < secondsLimit ? value * 1000 : value) : undefined;
  } else if (typeof value === "string") {
    const text = value.trim();
    const canonical = canonicalUtc(text);
    if (canonical !== null) ms = canonical;
    else if (epochLike.test(text)) return parseInstant(Number(text), timezone);
    else {
      const m = isoLike.exec(text);
      if (!m) return undefined;
      const [, y, mo, d, h = "0", mi = "0", s = "0", frac = "", zone] = m;
      const parts = { year: +y!, month: +mo!, day: +d!, hour: +h, minute: +mi, second: +s };
      const millis = Number(frac.padEnd(3, "0").slice(0, 3));
      if (parts.month < 1 || parts.month > 12 || parts.day < 1 || parts.day > daysIn(parts.year, parts.month))
        return undefined;
      if (parts.hour > 23 || parts.minute > 59 || parts.second > 59) return undefined;
      const utc = utcMs(parts.year, parts.month, parts.day, parts.hour, parts.minute, parts.second, millis);
      if (zone) {
        const offset = zone.toUpperCase() === "Z" ? 0 : zoneOffsetMinutes(zone);
        ms = offset === undefined ? undefined : utc - offset * 60_000;
      } else if (timezone === "UTC") ms = utc;
      else {
        const local = DateTime.fromObject({ ...parts, millisecond: millis }, { zone: timezone });
        ms = local.isValid ? local.toMillis() : undefined;
      }
    }
  }
  if (ms === undefined || Number.isNaN(ms) || ms < earliest || ms > latestInstantMs) return undefined;
  return Math.floor(ms);
}

/** Longest lifetime accepted from a legacy duration column: ten years. */
const maxDurationSeconds = 10 * 365 * 24 * 3600;

/** Parses a non-negative integer number of seconds; undefined when it is not one or is absurd. */
export function parseSeconds(value: unknown): number | undefined {
  const n =
    typeof value === "number"
      ? value
      : typeof value === "string" && /^\s*\d+\s*$/.test(value)
        ? Number(value)
        : NaN;
  return Number.isInteger(n) && n >= 0 && n <= maxDurationSeconds ? n : undefined;
}
