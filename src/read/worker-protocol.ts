import type { MigrateErrorCode } from "../shared/errors.js";
import type { RowTransform } from "./row-transform.js";
import type { SourceFormat } from "./types.js";

/** What the reading thread is started with. */
export interface ReaderInput {
  files: readonly string[];
  transform: RowTransform;
  format?: SourceFormat;
  delimiter?: string;
  maxRecordBytes?: number;
  maxDepth?: number;
  maxGzipRatio?: number;
  announceKeys?: boolean;
}

/** What the reading thread posts, in order; the main thread answers each rows batch with a credit. */
export type FromReader =
  | { kind: "header"; file: string; columns: string[]; keysOnly?: boolean }
  /** A batch of rows, or of a transform's results (packed by it, if it packs). */
  | { kind: "rows"; rows: unknown }
  | { kind: "end" }
  | {
      kind: "error";
      error: { code?: MigrateErrorCode; message: string; file?: string; row?: number; column?: string };
    };

/** Rows per message: large enough to amortise a message, small enough to keep memory flat. */
export const batchRows = 512;
/**
 * Batches the reader may post before the main thread has taken them: bounds the memory between threads
 * (16 held ~20 MB more at 10M rows, past the 250 MB a dry run may take, for no speed).
 */
export const maxBatchesAhead = 8;
