import { MigrateError } from "../shared/errors.js";

/** `--now`, the one parse every command shares: undefined when not given, a usage error when not a time. */
export function parseNow(value: string | undefined): number | undefined {
  return parseInstant("now", value);
}

/** An option that names an instant (`--now`, `--until`): epoch ms, undefined when not given. */
export function parseInstant(option: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const at = Date.parse(value);
  if (Number.isNaN(at))
    throw new MigrateError("usage", `--${option} must be an ISO 8601 time; got ${JSON.stringify(value)}`, {
      option,
    });
  return at;
}
