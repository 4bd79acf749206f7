import { createReadStream, openSync, readSync, closeSync } from "node:fs";
import { basename } from "node:path";
import { pipeline, Transform, type Readable } from "node:stream";
import { createGunzip, type Gunzip } from "node:zlib";
import { MigrateError } from "../shared/errors.js";
import { defaultMaxGzipRatio } from "./limits.js";
import { openPostgresqlCopy, postgresqlSource } from "./postgresql.js";
import type { ReadOptions, SourceFormat } from "./types.js";

/** Below this much decompressed data no ratio is suspicious: a small, repetitive file costs nothing. */
export const gzipRatioCheckedFromMiB = 16;
const ratioCheckedFrom = gzipRatioCheckedFromMiB * 1024 * 1024;

/**
 * Passes decompressed bytes on while they stay within `maxRatio` times the compressed bytes read: token
 * dumps (random values) compress a few times; 3 GiB from a 3 MB file is a bomb, refused at once
 * instead of parsed for minutes.
 */
function ratioGuard(file: string, gunzip: Gunzip, maxRatio: number): Transform {
  let out = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      out += chunk.length;
      // bytesWritten: the compressed bytes the engine has consumed so far, not what was read ahead.
      const read = gunzip.bytesWritten;
      if (out > ratioCheckedFrom && out > maxRatio * read) {
        const mib = (n: number) =>
          n < 1 << 20 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1024 / 1024).toFixed(1)} MiB`;
        return done(
          new MigrateError(
            "source_invalid",
            `${file}: decompresses to more than ${maxRatio}× its size (${mib(out)} from ${mib(read)}): a gzip bomb? A dump this repetitive needs a higher --max-gzip-ratio`,
            { file },
          ),
        );
      }
      done(null, chunk);
    },
  });
}

function firstBytes(file: string): Buffer {
  const fd = openSync(file, "r");
  try {
    const head = Buffer.alloc(4);
    return head.subarray(0, readSync(fd, head, 0, 4, 0));
  } finally {
    closeSync(fd);
  }
}

/** The source that means standard input: a dump piped in, never written to disk (`-` on the command line). */
export const standardInput = "/dev/stdin";

/** A source read once, as it comes: standard input, or the legacy database's export query. */
export const readOnce = (file: string): boolean => file === standardInput || file === postgresqlSource;

/** A byte stream of the file, gunzipped (within `maxGzipRatio`) when it starts with the gzip magic bytes. */
export function openSource(
  file: string,
  options: Pick<ReadOptions, "maxGzipRatio" | "postgresqlQuery" | "end" | "stop"> = {},
): Readable {
  const maxGzipRatio = options.maxGzipRatio ?? defaultMaxGzipRatio;
  // A pipe is read once and as it comes (pipe a gzipped dump through zcat).
  if (file === standardInput) return process.stdin;
  if (file === postgresqlSource) {
    // A stop signal ends a query that has sent nothing yet too (it is cancelled, not waited for).
    const copy = openPostgresqlCopy(options.postgresqlQuery);
    for (const signal of [options.end, options.stop])
      signal?.addEventListener("abort", () => copy.destroy(), { once: true });
    return copy;
  }
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
  // 64 KiB reads: the rows a chunk makes are held while they are handed on, and a scavenge promotes them
  // (1 MiB reads held ~100 MB more on the reading thread, for no speed).
  const raw = createReadStream(file, { highWaterMark: 1 << 16 });
  if (!gzip) return raw;
  // pipeline: an error anywhere (a truncated stream, the guard) reaches the reader, and a reader that
  // stops early closes the file.
  const gunzip = createGunzip();
  return pipeline(raw, gunzip, ratioGuard(file, gunzip, maxGzipRatio), () => {});
}

/** The format from --format, else from the extension (after any .gz). */
export function detectFormat(file: string, format?: SourceFormat): SourceFormat {
  if (format) return format;
  if (readOnce(file)) return "csv";
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
