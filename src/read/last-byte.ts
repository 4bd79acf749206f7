import { closeSync, openSync, readSync, statSync } from "node:fs";
import { openSource } from "./open.js";

/**
 * The last byte of a file's content, gunzipped where it is gzip (read through to the end: zlib checks
 * the stream's length and CRC, so a cut gzip file fails here), or null for an empty file. A CSV or
 * NDJSON export that does not end with a line ending was cut short, or its last row may have been.
 */
export async function lastContentByte(file: string, maxGzipRatio?: number): Promise<number | null> {
  if (!isGzip(file)) return plainLastByte(file);
  let last: number | null = null;
  // The same bomb guard as the run's reading: the file may have changed since.
  for await (const chunk of openSource(file, { maxGzipRatio }) as AsyncIterable<Buffer>)
    if (chunk.length > 0) last = chunk[chunk.length - 1]!;
  return last;
}

function isGzip(file: string): boolean {
  const fd = openSync(file, "r");
  try {
    const head = Buffer.alloc(2);
    return readSync(fd, head, 0, 2, 0) === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    closeSync(fd);
  }
}

function plainLastByte(file: string): number | null {
  const size = statSync(file).size;
  if (size === 0) return null;
  const fd = openSync(file, "r");
  try {
    const byte = Buffer.alloc(1);
    readSync(fd, byte, 0, 1, size - 1);
    return byte[0]!;
  } finally {
    closeSync(fd);
  }
}
