/** A field by exact name, else by dotted path into nested JSON (`response.access_token`). */
export function fieldValue(fields: Record<string, unknown>, path: string): unknown {
  if (Object.hasOwn(fields, path)) return fields[path];
  let current: unknown = fields;
  for (const part of path.split(".")) {
    if (typeof current !== "object" || current === null || !Object.hasOwn(current, part)) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

/** SQL NULL, JSON null and a missing field are all "no value". */
export function isAbsent(value: unknown): value is null | undefined {
  return value === null || value === undefined;
}

/** The value as text for list matching (neverExpires, notRevoked): null stays null. */
export function asListValue(value: unknown): string | null {
  return isAbsent(value) ? null : typeof value === "string" ? value : JSON.stringify(value);
}
