/** One record of a legacy dump, with where it came from. */
export interface SourceRow {
  file: string;
  /** 1-based record number in the file (header excluded). */
  rowNo: number;
  /** Line where the record starts (CSV) or stands (NDJSON); absent for JSON arrays. */
  line?: number;
  fields: Record<string, unknown>;
  /** Set when the record could not be parsed; the row is then rejected, not dropped. */
  error?: { column?: string; detail: string };
}

export type SourceFormat = "csv" | "json" | "ndjson";

export interface ReadOptions {
  format?: SourceFormat;
  /** The `COPY … TO STDOUT` query that the `postgresql:` source runs (the mapping's export.postgresql). */
  postgresqlQuery?: string;
  delimiter?: string;
  /**
   * Called with a CSV file's header before its first row, e.g. to check mapped columns exist; for JSON
   * rows, with the keys not seen before in the file (`keysOnly`), before the first row holding them.
   */
  onHeader?: (file: string, columns: string[], keysOnly?: boolean) => void;
  /** JSON rows' keys are announced to `onHeader` (a mapping that accounts for every column needs them). */
  announceKeys?: boolean;
  /** A larger record (a CSV record, an NDJSON line) stops the file: a bomb is not read to the end. */
  maxRecordBytes?: number;
  /** A JSON row nested deeper is rejected (a row error, not a crash). */
  maxDepth?: number;
  /** A gzipped file decompressing to more than this many times its size stops (a bomb is not read). */
  maxGzipRatio?: number;
  /** A whole-file pass before the run (pre-scan, service check) stops when this aborts (SIGINT/SIGTERM). */
  stop?: AbortSignal;
  /** The run's reading ends, without an error, when this aborts: also while the parser is busy. */
  end?: AbortSignal;
}
