import { DuplicateKeyError } from "./json-file.js";

/**
 * C0/C1 controls, and the invisible characters that reorder or hide text on a terminal or a page: bidi
 * overrides and isolates (RTLO), marks, line and paragraph separators, zero-width and BOM characters.
 */
const unsafe = /[\p{Cc}\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/gu;

/**
 * Text from outside (a dump, a mapping, a server's answer, a file name) made safe to show: every
 * character that could drive a terminal (escape sequences, OSC 52, OSC 8) or reorder what is read is
 * shown as a `\u{…}` escape, and the text is cut to `max` characters, saying how much was left out.
 */
export function printable(text: string, max = 200): string {
  const chars = [...text];
  const kept = chars.length > max ? chars.slice(0, max).join("") : text;
  const shown = kept.replace(unsafe, (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`);
  return chars.length > max ? `${shown}…(+${chars.length - max} characters)` : shown;
}

/** JWTs (a client assertion a server echoed back, say) replaced before a text is shown. */
export function withoutJwts(text: string): string {
  return text.replace(/eyJ[\w-]*\.[\w-]*\.[\w-]*/g, "[a JWT, not shown]");
}

/**
 * Why a file could not be read or parsed, without quoting it: a secret file named by mistake (a key,
 * a bearer) must not reach the terminal through a parser's "Unexpected token … in "<content>"".
 */
export function readFailure(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  if (typeof e.code === "string" && /^E[A-Z]+$/.test(e.code)) return `cannot be read (${e.code})`;
  if (error instanceof DuplicateKeyError) return error.message;
  if (error instanceof SyntaxError) {
    const at = /position (\d+)/.exec(error.message)?.[1];
    return `is not valid JSON${at === undefined ? "" : ` (at character ${Number(at) + 1})`}`;
  }
  return `cannot be parsed${typeof e.code === "string" ? ` (${e.code})` : ""}`;
}
