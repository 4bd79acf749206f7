import { readFileSync } from "node:fs";
import { visit } from "jsonc-parser";

/** A JSON document with a key given twice in one object: JSON.parse would keep the last one silently. */
export class DuplicateKeyError extends Error {
  constructor(
    readonly line: number,
    readonly column: number,
  ) {
    // The key is not named: a secret file given by mistake must not be quoted, even by its keys.
    super(`has a key given twice in one object (line ${line}, column ${column}): which one was meant?`);
    this.name = "DuplicateKeyError";
  }
}

/** Throws DuplicateKeyError at the first key that repeats one of its object's earlier keys. */
function refuseDuplicateKeys(text: string): void {
  const open: Set<string>[] = [];
  let found: DuplicateKeyError | undefined;
  visit(text, {
    onObjectBegin: () => void open.push(new Set()),
    onObjectEnd: () => void open.pop(),
    onObjectProperty: (key, _offset, _length, line, character) => {
      const keys = open.at(-1)!;
      if (keys.has(key)) found ??= new DuplicateKeyError(line + 1, character + 1);
      keys.add(key);
    },
  });
  if (found) throw found;
}

/**
 * Strict JSON (JSON.parse) that also refuses a key given twice in one object. Errors are the parser's
 * (fs, SyntaxError or DuplicateKeyError): `readFailure` words them without quoting the file.
 */
export function readJsonFile(file: string): unknown {
  const text = readFileSync(file, "utf8");
  const parsed: unknown = JSON.parse(text);
  refuseDuplicateKeys(text);
  return parsed;
}
