import { closeSync, mkdtempSync, openSync, readSync, rmSync, unlinkSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MigrateError } from "../shared/errors.js";

/** Errors that mean the temp file system cannot take the spool (full, over a quota or a size limit). */
const noRoom = new Set(["ENOSPC", "EFBIG", "EDQUOT", "EIO", "EROFS", "EACCES", "EPERM"]);

/**
 * Chunks of fixed-size records, kept in memory up to `memoryLimit` bytes and past it in a temp file,
 * read back once, in order. The file is unlinked as soon as it is open, so nothing is left behind if the
 * process dies, and its space is freed when it is closed.
 */
export class RecordSpool {
  private readonly kept: Buffer[] = [];
  private keptBytes = 0;
  private fd: number | undefined;
  private fileBytes = 0;
  private closed = false;

  constructor(
    private readonly recordSize: number,
    private readonly memoryLimit: number,
  ) {}

  /** Takes the first `length` bytes of `bytes` (whole records); the caller may reuse `bytes` afterwards. */
  put(bytes: Buffer, length: number): void {
    if (length === 0) return;
    if (this.fd === undefined && this.keptBytes + length <= this.memoryLimit) {
      this.kept.push(Buffer.from(bytes.subarray(0, length)));
      this.keptBytes += length;
      return;
    }
    try {
      this.fd ??= openUnlinked();
      for (let done = 0; done < length;)
        done += writeSync(this.fd, bytes, done, length - done, this.fileBytes + done);
      this.fileBytes += length;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === undefined || !noRoom.has(code)) throw error;
      throw new MigrateError(
        "ledger_write_failed",
        `a dry run's scratch file in ${tmpdir()} cannot be written (${code}): free space there or set TMPDIR to ` +
          "a writable directory with room, and rerun; a dry run sends nothing and records no row",
        { cause: error },
      );
    }
  }

  /** The records in the order put, a chunk at a time (a chunk read from the file is reused for the next). */
  *chunks(): Generator<{ bytes: Buffer; length: number }> {
    for (const bytes of this.kept) yield { bytes, length: bytes.length };
    if (this.fd === undefined) return;
    const bytes = Buffer.alloc(this.recordSize * 16_384);
    for (let position = 0; position < this.fileBytes;) {
      let length = 0;
      // A read may return less than asked: only whole records are handed on.
      do {
        const n = readSync(this.fd, bytes, length, bytes.length - length, position + length);
        if (n === 0)
          throw new Error(`the scratch file ended at byte ${position + length} of ${this.fileBytes}`);
        length += n;
      } while (length % this.recordSize !== 0 && position + length < this.fileBytes);
      position += length;
      yield { bytes, length };
    }
  }

  /** Frees the memory and the file; a second call does nothing. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.kept.length = 0;
    if (this.fd !== undefined) closeSync(this.fd);
  }
}

function openUnlinked(): number {
  const dir = mkdtempSync(join(tmpdir(), "authlete-migrate-"));
  const path = join(dir, "spool");
  try {
    const fd = openSync(path, "wx+", 0o600);
    unlinkSync(path);
    return fd;
  } finally {
    // Only after the open: a failed open keeps its own error (not the unlink's ENOENT).
    rmSync(dir, { recursive: true, force: true });
  }
}
