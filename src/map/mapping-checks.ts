import { MigrateError } from "../shared/errors.js";

/** The one refusal of a mapping: exit 2, naming the file. */
export function invalid(file: string, message: string, field?: string): never {
  throw new MigrateError("mapping_invalid", `mapping ${file}: ${message}`, { file, field });
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function onlyKeys(
  file: string,
  where: string,
  value: Record<string, unknown>,
  allowed: readonly string[],
) {
  const unknown = Object.keys(value).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) {
    invalid(
      file,
      `${where} has unknown key(s) ${unknown.map((k) => JSON.stringify(k)).join(", ")}; allowed: ${allowed.join(", ")}`,
    );
  }
}
