import { closeSync, writeSync } from "node:fs";
import { openReportFile, reportError } from "./files.js";
import type { ReasonCode } from "../map/index.js";
import type { RowRef } from "./tally.js";

/** A spreadsheet would run a cell starting with one of these as a formula (CSV injection). */
const formulaStart = /^[=+\-@\t\r]/;

function cell(value: string | number | undefined): string {
  const raw = value === undefined ? "" : String(value);
  const text = typeof value === "string" && formulaStart.test(raw) ? `'${raw}` : raw;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** rejects.csv, written as the run goes: file, row, reason, detail and a redacted fingerprint. */
export class RejectsFile {
  private readonly fd: number;

  constructor(private readonly file: string) {
    this.fd = openReportFile(file);
    writeSync(this.fd, "file,row,reason,detail,fingerprint\n");
  }

  add(at: RowRef, reason: ReasonCode): void {
    // The key is already a hash of the token; eight characters of it identify the row, never the value.
    const fingerprint = at.key ? `sha256:${at.key.slice(0, 8)}` : "";
    try {
      writeSync(this.fd, `${[at.file, at.line, reason, at.detail, fingerprint].map(cell).join(",")}\n`);
    } catch (error) {
      throw reportError(this.file, error, true);
    }
  }

  close(): void {
    closeSync(this.fd);
  }
}
