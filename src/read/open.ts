import { createReadStream, openSync, readSync, closeSync } from "node:fs";
import { basename } from "node:path";
import type { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { MigrateError } from "../shared/errors.js";
import type { SourceFormat } from "./types.js";

function firstBytes(file: string): Buffer {
  const fd = openSync(file, "r");
  try {
    const head = Buffer.alloc(4);
    return head.subarray(0, readSync(fd, head, 0, 4, 0));
  } finally {
    closeSync(fd);
  }
}

/** A byte stream of the file, gunzipped when it starts with the gzip magic bytes. */
export function openSource(file: string): Readable {
  let head: Buffer;
  try {
    head = firstBytes(file);
  } catch (error) {
    throw new MigrateError(
      "source_invalid",
      `${file}: cannot be read (${(error as NodeJS.ErrnoException).code ?? "error"})`,
      { file },
    );
  }
  // A UTF-16 export would parse into garbage column names and values: refuse it with a way out.
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) {
    throw new MigrateError(
      "source_invalid",
      `${file}: the file is UTF-16; re-export it as UTF-8 (e.g. iconv -f UTF-16 -t UTF-8)`,
      { file },
    );
  }
  const gzip = head[0] === 0x1f && head[1] === 0x8b;
  const raw = createReadStream(file, { highWaterMark: 1 << 20 });
  return gzip ? raw.pipe(createGunzip()).on("error", (e) => raw.destroy(e)) : raw;
}

/** The format from --format, else from the extension (after any .gz). */
export function detectFormat(file: string, format?: SourceFormat): SourceFormat {
  if (format) return format;
  const name = basename(file).toLowerCase().replace(/\.gz$/, "");
  if (name.endsWith(".csv") || name.endsWith(".tsv")) return "csv";
  if (name.endsWith(".ndjson") || name.endsWith(".jsonl")) return "ndjson";
  if (name.endsWith(".json")) return "json";
  throw new MigrateError(
    "source_invalid",
    `${file}: cannot tell the format from the name; pass --format csv|json|ndjson`,
    {
      file,
      option: "format",
    },
  );
}

/** A file-level failure (truncated gzip, unclosed quote at the end, not a JSON array) as our error. */
export function sourceFailure(file: string, error: unknown, row?: number): MigrateError {
  if (error instanceof MigrateError) return error;
  const e = error as NodeJS.ErrnoException & { code?: string };
  // Parser messages can quote record content (a token), so only codes and positions are kept.
  const what =
    e.code === "Z_BUF_ERROR" || /unexpected end of file/i.test(e.message ?? "")
      ? "the gzip stream is truncated"
      : (e.code ?? "the file cannot be parsed");
  const where = row === undefined ? "" : ` after row ${row}`;
  return new MigrateError("source_invalid", `${file}: ${what}${where}`, { file, row, cause: error });
}
