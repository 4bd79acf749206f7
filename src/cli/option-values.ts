import { MigrateError } from "../shared/errors.js";
import { printable } from "../shared/text.js";

// The one parser of numeric option values: every command refuses a bad one the same way, naming it
// (yargs reads `abc` as NaN and `-1` as a number: neither may reach the code that uses it).

/** A positive number an option sets (at most `max`). */
export function positive(option: string, value: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isFinite(value) || value <= 0 || value > max) {
    throw new MigrateError(
      "usage",
      `--${option} must be a positive number up to ${max}; got ${printable(String(value), 40)}`,
      { option },
    );
  }
  return value;
}

/** A whole number of at least 1 an option sets (a sample size, a timeout in ms). */
export function wholePositive(option: string, value: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isSafeInteger(value) || value < 1 || value > max)
    throw new MigrateError(
      "usage",
      `--${option} must be a whole number from 1 to ${max}; got ${printable(String(value), 40)}`,
      { option },
    );
  return value;
}

/** A whole number ≥ 0 an option counts, or undefined when it is not given. */
export function count(option: string, value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isSafeInteger(value) || value < 0)
    throw new MigrateError("usage", `--${option} must be a whole number, 0 or more; got ${value}`, {
      option,
    });
  return value;
}
