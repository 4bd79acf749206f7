/**
 * One record of CSV text, or why it is not one: `fields` hold each value, `null` for an unquoted empty
 * field (PostgreSQL's `COPY … CSV` NULL) and `""` for a quoted one; `line` is where the record starts.
 */
export type CsvRecord = { line: number; fields: (string | null)[] } | { line: number; error: string };

/** A file-level problem: a quote left open at the end, or a record over the size limit. */
export class CsvTextError extends Error {
  constructor(
    readonly code: "CSV_QUOTE_NOT_CLOSED" | "CSV_MAX_RECORD_SIZE",
    readonly line: number,
  ) {
    super(`${code} at line ${line}`);
  }
}

const quote = 34;
const lf = 10;
const cr = 13;
/** The scan stopped inside a record: the rest of the text waits for the next chunk. */
const incomplete = -1;

/**
 * Splits CSV text, fed chunk by chunk, into records — the dialect csv-parse reads with our options (a
 * differential test holds the two to the same rows): CRLF, LF and CR all end a record, whatever the
 * previous one used; empty lines are skipped but counted; `""` inside quotes is one quote; the first
 * record sets the field count and a record with another count is an error in its place (one of nothing
 * but white space counts as a blank line). A stray quote is an error for its record only, and
 * reading goes on at the next line (where csv-parse went on mid-record and could lose the rest of the
 * file). csv-parse spent four fifths of a dry run's reading thread; this reads the same text ~5× faster.
 */
export class CsvRecords {
  private carry = "";
  /** Text received since the carried record was last scanned. */
  private pending: string[] = [];
  private pendingLength = 0;
  /** The line the next unread character is on. */
  private line = 1;
  private started = false;
  private fieldCount: number | undefined;
  private readonly delimiter: number;
  private readonly delimiterText: string;
  /** The next LF, CR and quote at or after where the scan stands (the text's length if none; -1: look). */
  private nextLf = -1;
  private nextCr = -1;
  private nextQuote = -1;

  constructor(
    delimiter: string,
    private readonly maxRecordLength: number,
  ) {
    this.delimiter = delimiter.charCodeAt(0);
    this.delimiterText = delimiter.charAt(0);
  }

  /** The records the text so far completes. */
  write(chunk: string): CsvRecord[] {
    if (!this.started && chunk.length > 0) {
      this.started = true;
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
    }
    this.pending.push(chunk);
    this.pendingLength += chunk.length;
    // A record longer than a chunk is scanned again only once the text after it has doubled: a long
    // record costs a few passes, not one per chunk.
    if (this.carry.length > 0 && this.pendingLength < this.carry.length) return [];
    return this.scan(false);
  }

  /** The last records, at the end of the text. */
  end(): CsvRecord[] {
    return this.scan(true);
  }

  private scan(final: boolean): CsvRecord[] {
    const text = this.carry + this.pending.join("");
    this.nextLf = this.nextCr = this.nextQuote = -1;
    this.pending = [];
    this.pendingLength = 0;
    const out: CsvRecord[] = [];
    let p = 0;
    for (;;) {
      const next = this.record(text, p, final, out);
      if (next === incomplete) break;
      p = next;
    }
    this.carry = text.slice(p);
    if (this.carry.length > this.maxRecordLength) throw new CsvTextError("CSV_MAX_RECORD_SIZE", this.line);
    return out;
  }

  /** Reads the record (or blank line) at `p` into `out`; where the next one starts, or `incomplete`. */
  private record(text: string, start: number, final: boolean, out: CsvRecord[]): number {
    const n = text.length;
    if (start >= n) return incomplete;
    const first = text.charCodeAt(start);
    if (first === lf || first === cr) {
      const after = this.lineEnd(text, start, final);
      if (after !== incomplete) this.line++;
      return after;
    }
    const fields: (string | null)[] = [];
    let p = start;
    let breaks = 0;
    let quoted = false;
    let error: string | undefined;
    const d = this.delimiter;
    for (;;) {
      if (text.charCodeAt(p) === quote) {
        quoted = true;
        let value = "";
        let from = p + 1;
        for (;;) {
          const close = text.indexOf('"', from);
          if (close === -1 || (close + 1 === n && !final)) {
            if (final) throw new CsvTextError("CSV_QUOTE_NOT_CLOSED", this.line);
            return incomplete;
          }
          breaks += lineBreaks(text, from, close);
          if (text.charCodeAt(close + 1) === quote) {
            value += text.slice(from, close + 1);
            from = close + 2;
            continue;
          }
          fields.push(value + text.slice(from, close));
          p = close + 1;
          break;
        }
        const c = text.charCodeAt(p);
        if (c === d) {
          p++;
          continue;
        }
        if (p < n && c !== lf && c !== cr) error = "CSV_INVALID_CLOSING_QUOTE";
      } else {
        const q = this.stopAt(text, p);
        const c = q < n ? text.charCodeAt(q) : 0;
        fields.push(q === p ? null : text.slice(p, q));
        p = q;
        if (q < n && c === d) {
          p++;
          continue;
        }
        if (q < n && c === quote) error = "INVALID_OPENING_QUOTE";
      }
      break;
    }
    // An error's record runs to the end of its line, whatever quotes follow.
    if (error !== undefined) while (p < n && text.charCodeAt(p) !== lf && text.charCodeAt(p) !== cr) p++;
    if (p === n && !final) return incomplete;
    if (p - start > this.maxRecordLength) throw new CsvTextError("CSV_MAX_RECORD_SIZE", this.line);
    const after = p === n ? n : this.lineEnd(text, p, final);
    if (after === incomplete) return incomplete;
    const line = this.line;
    this.line += breaks + (p === n ? 0 : 1);
    if (error !== undefined) out.push({ line, error });
    else if (this.fieldCount === undefined) {
      this.fieldCount = fields.length;
      out.push({ line, fields });
    } else if (fields.length === this.fieldCount) out.push({ line, fields });
    else if (!(!quoted && this.blank(fields)))
      out.push({ line, error: "CSV_RECORD_INCONSISTENT_FIELDS_LENGTH" });
    return after;
  }

  /**
   * Where the unquoted field at `from` ends: the next delimiter, line break or quote, or the text's end.
   * Found with indexOf (a native search) instead of a loop over every character: the next line break,
   * CR and quote are kept until the scan passes them, so a record costs one search per field and one
   * for its line end (a text without CR or quotes searches for them once).
   */
  private stopAt(text: string, from: number): number {
    const n = text.length;
    if (this.nextLf < from) this.nextLf = found(text.indexOf("\n", from), n);
    if (this.nextCr < from) this.nextCr = found(text.indexOf("\r", from), n);
    if (this.nextQuote < from) this.nextQuote = found(text.indexOf('"', from), n);
    const stop = Math.min(this.nextLf, this.nextCr, this.nextQuote);
    const delimiter = text.indexOf(this.delimiterText, from);
    return delimiter >= 0 && delimiter < stop ? delimiter : stop;
  }

  /** A ragged record of nothing but white space (and tab delimiters) is a blank line, not a row. */
  private blank(fields: (string | null)[]): boolean {
    if (fields.length > 1 && this.delimiter !== 9) return false;
    return fields.every((value) => value === null || value.trim() === "");
  }

  /** Past the line ending at `p` (CRLF, LF or CR); `incomplete` when a CR ends the text so far. */
  private lineEnd(text: string, p: number, final: boolean): number {
    if (text.charCodeAt(p) === lf) return p + 1;
    if (p + 1 === text.length) return final ? p + 1 : incomplete;
    return text.charCodeAt(p + 1) === lf ? p + 2 : p + 1;
  }
}

/** An indexOf result, with "none" as `none`. */
const found = (at: number, none: number) => (at < 0 ? none : at);

/** Line breaks in text[from, to) (a quoted value): a CRLF, LF or CR each end one line. */
function lineBreaks(text: string, from: number, to: number): number {
  let breaks = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === lf || (c === cr && text.charCodeAt(i + 1) !== lf)) breaks++;
  }
  return breaks;
}
