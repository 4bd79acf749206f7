import { statSync } from "node:fs";
import { accountedColumns, mappedColumns } from "../map/index.js";
import type { Mapping } from "../map/index.js";
import { printable } from "../shared/text.js";
import { detectFormat, readOnce, type SourceFormat } from "../read/index.js";
import { MigrateError } from "../shared/errors.js";

/**
 * A header check (a CSV header, or the keys of JSON rows as they appear): every mapped column (or the top
 * of a dotted path) must exist, and, for a mapping that accounts for its columns, every column must be
 * mapped or ignored — a column nobody looked at may be the one that says a token is dead.
 */
export function checkHeader(mapping: Mapping): (file: string, header: string[], keysOnly?: boolean) => void {
  const wanted = mappedColumns(mapping);
  const accounted = mapping.ignore ? accountedColumns(mapping) : undefined;
  return (file, header, keysOnly) => {
    // JSON rows need not all hold every key: only a CSV header proves a mapped column is missing.
    if (!keysOnly) refuseMissing(file, header, wanted);
    // After the mapped columns are found: a header that is really a row would quote its token values.
    const unaccounted = accounted ? header.filter((name) => !accounted.has(name)) : [];
    if (unaccounted.length > 0)
      throw new MigrateError(
        "mapping_invalid",
        `${file}: column(s) ${unaccounted
          .slice(0, 10)
          .map((c) => printable(JSON.stringify(c), 80))
          .join(
            ", ",
          )}${unaccounted.length > 10 ? ` and ${unaccounted.length - 10} more` : ""} neither mapped nor listed in the mapping's "ignore": say what each holds (map it, or ignore it on purpose)`,
        { file, row: 0, column: unaccounted[0] },
      );
  };
}

function refuseMissing(file: string, header: string[], wanted: string[]): void {
  const missing = wanted.filter((path) => !header.includes(path) && !header.includes(path.split(".")[0]!));
  if (missing.length > 0) {
    throw new MigrateError(
      "mapping_invalid",
      // The header is not quoted back: a dump exported without one has token values in its first line.
      `${file}: mapped column(s) ${missing.map((c) => JSON.stringify(c)).join(", ")} not in the header (${header.length} columns; is the header row missing, or the delimiter wrong?)`,
      { file, row: 0, column: missing[0] },
    );
  }
}

/** What the run record keeps of each source: path, size and modification time (never content). */
export function describeSources(files: readonly string[]) {
  return files.map((file) => {
    // A pipe (or a query) is never "the same unchanged source" as an earlier run's: its time is the run's.
    if (readOnce(file)) return { file, size: 0, mtimeMs: Date.now() };
    const stat = statSync(file);
    return { file, size: stat.size, mtimeMs: Math.round(stat.mtimeMs) };
  });
}

/**
 * An upper estimate of the rows in the sources, from their sizes, when no pre-scan counted them: a
 * token row is rarely under 100 bytes in CSV or 250 in JSON, and a gzipped dump rarely holds more than
 * ten times its size.
 */
export function estimatedRows(files: readonly string[], format?: SourceFormat): number {
  return describeSources(files).reduce((sum, { file, size }) => {
    // A pipe's size is unknown: a million rows sizes what depends on it (a dry run's duplicate filter).
    if (readOnce(file)) return sum + 1_000_000;
    const rowBytes = detectFormat(file, format) === "csv" ? 100 : 250;
    return sum + Math.ceil((size * (/\.gz$/i.test(file) ? 10 : 1)) / rowBytes);
  }, 0);
}
