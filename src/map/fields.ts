/**
 * A field by exact name, else by dotted path into nested JSON (`response.access_token`), or a key of
 * a JSON document held in a text column (`access_token_metadata#metadata.token.invalidated`).
 */
export function fieldValue(fields: Record<string, unknown>, path: string): unknown {
  if (Object.hasOwn(fields, path)) return fields[path];
  const hash = path.indexOf("#");
  if (hash > 0) return jsonKey(fieldValue(fields, path.slice(0, hash)), path.slice(hash + 1));
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

function jsonKey(document: unknown, key: string): unknown {
  if (typeof document !== "string")
    return isAbsent(document) ? undefined : (document as Record<string, unknown>)[key];
  try {
    const parsed: unknown = JSON.parse(document);
    return typeof parsed === "object" && parsed !== null
      ? (parsed as Record<string, unknown>)[key]
      : undefined;
  } catch {
    return undefined;
  }
}
