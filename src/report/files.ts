import { randomBytes } from "node:crypto";
import {
  closeSync,
  constants,
  fchmodSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  writeSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";
import { MigrateError } from "../shared/errors.js";
import { renderReportHtml } from "./html.js";
import type { RunSummary } from "./summary.js";

/** A report file that cannot be written: a usage error before the run, a stop once it runs. */
export function reportError(path: string, error: unknown, during = false): MigrateError {
  const code = (error as NodeJS.ErrnoException).code ?? "error";
  const why =
    code === "ELOOP"
      ? "is a symbolic link, which a report never follows"
      : code === "ENOSPC" || code === "EFBIG"
        ? `cannot be written: the disk is full (${code})`
        : `cannot be written (${code})`;
  return new MigrateError(during ? "report_write_failed" : "usage", `--report: ${path} ${why}`, {
    file: path,
    option: "report",
    cause: error,
  });
}

/** The report directory, created 0700 (whatever the umask) when it does not exist. */
export function prepareReportDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw reportError(dir, error);
  }
}

/**
 * Opens a report file for writing without following a symbolic link planted at its name (O_NOFOLLOW),
 * mode 0600 even when it existed with another mode.
 */
export function openReportFile(path: string): number {
  try {
    const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW;
    const fd = openSync(path, flags, 0o600);
    fchmodSync(fd, 0o600);
    return fd;
  } catch (error) {
    throw reportError(path, error);
  }
}

/** Writes a whole file by creating a fresh one beside it and renaming it over the name (a link is replaced, never followed). */
function writePrivately(path: string, text: string): void {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString("hex")}.tmp`);
  try {
    const fd = openSync(temp, "wx", 0o600);
    try {
      writeSync(fd, text);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw reportError(path, error, true);
  }
}

/** report.json (the summary with per-reason and per-client tables) and report.html, mode 0600. */
export function writeReportFiles(dir: string, summary: RunSummary, now = new Date()): void {
  writePrivately(join(dir, "report.json"), `${JSON.stringify(summary, null, 1)}\n`);
  writePrivately(join(dir, "report.html"), renderReportHtml(summary, now));
}
