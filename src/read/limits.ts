import { MigrateError } from "../shared/errors.js";
import type { ReadOptions } from "./types.js";

/** A stop signal came: readers end their file at the next row or skipped stretch, whatever they parse. */
export function stopped(options: ReadOptions): boolean {
  return Boolean(options.stop?.aborted || options.end?.aborted);
}

/** The largest record (a CSV record, an NDJSON line) read by default: no token row comes near it. */
export const defaultMaxRecordBytes = 8 * 1024 * 1024;
/** How many times its size a gzipped dump may decompress to by default (random token values compress a few times). */
export const defaultMaxGzipRatio = 100;
/** The deepest nesting of a JSON row read by default: dumps nest a few levels. */
export const defaultMaxDepth = 64;

/** How deep a JSON value nests, counted without recursion (a hostile row may nest 100,000 levels). */
export function nestingDepth(value: unknown, stopAt: number): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!;
    if (typeof item !== "object" || item === null) continue;
    if (depth + 1 > deepest) deepest = depth + 1;
    if (deepest > stopAt) return deepest;
    for (const child of Object.values(item as Record<string, unknown>)) stack.push([child, depth + 1]);
  }
  return deepest;
}

const openingBrackets = ["{", "["] as const;

/**
 * True when the text opens at most `limit` brackets, strings included (counted by native searches):
 * then it cannot nest deeper than `limit`, and a row need not be walked character by character.
 */
export function opensAtMost(text: string, limit: number): boolean {
  let opened = 0;
  for (const bracket of openingBrackets)
    for (let i = text.indexOf(bracket); i !== -1; i = text.indexOf(bracket, i + 1))
      if (++opened > limit) return false;
  return true;
}

/** How deep a JSON text nests, read from its brackets outside strings, in one pass. */
export function textDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) deepest = Math.max(deepest, ++depth);
    else if (c === 0x7d || c === 0x5d) depth--;
  }
  return deepest;
}

/** The file-level error for a record over the size limit: its line, never its content. */
export function recordTooLarge(file: string, where: string, limit: number, row: number): MigrateError {
  return new MigrateError(
    "source_invalid",
    `${file}: ${where} is larger than the maximum record size (${Math.round(limit / 1024)} KiB; raise it with --max-record-size)`,
    { file, row },
  );
}
