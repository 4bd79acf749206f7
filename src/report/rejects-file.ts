import { closeSync, writeSync } from "node:fs";
import { stringify } from "csv-stringify/sync";
import { openReportFile, reportError } from "./files.js";
import type { ReasonCode } from "../map/index.js";
import { guardedCell } from "../shared/csv-cell.js";

/** A rejected row as rejects.csv lists it. */
export interface RejectedRow {
  file: string;
  /** The record's number in its file. */
  rowNo?: number;
  /** The line the record starts on (unknown for rows recorded by older ledgers). */
  line?: number;
  /** The token's ledger key (a hash), for a redacted fingerprint. */
  key?: string | null;
  detail?: string;
}

/** rejects.csv, written as the run goes: file, record, line, reason, detail and a redacted fingerprint. */
export class RejectsFile {
  private readonly fd: number;
  private closed = false;

  constructor(private readonly file: string) {
    this.fd = openReportFile(file);
    writeSync(this.fd, "file,record,line,reason,detail,fingerprint\n");
  }

  add(at: RejectedRow, reason: ReasonCode): void {
    // The key is already a hash of the token; eight characters of it identify the row, never the value.
    const fingerprint = at.key ? `sha256:${at.key.slice(0, 8)}` : "";
    const line = stringify([[at.file, at.rowNo, at.line, reason, at.detail, fingerprint]], {
      cast: { string: guardedCell },
    });
    try {
      writeSync(this.fd, line);
    } catch (error) {
      throw reportError(this.file, error, true);
    }
  }

  /** Idempotent: the run closes it before writing the report, and again on its way out. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }
}
