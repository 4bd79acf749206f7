import { MigrateError } from "../shared/errors.js";

/** What a SQLite error says about the ledger file, when it means the file cannot take more writes. */
function whyNotWritable(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== "string") return undefined;
  if (code === "SQLITE_FULL") return "the disk is full";
  if (code.startsWith("SQLITE_IOERR")) return "the file system refused a write";
  if (code.startsWith("SQLITE_READONLY")) return "the file became read-only";
  return undefined;
}

/**
 * Every method of the ledger, with a full disk (or a file system refusing writes) turned into one coded
 * error that says what the rerun will do, instead of SQLite's bare "database or disk is full".
 */
export function guardWrites<T extends object>(file: string, ledger: T): T {
  const guarded: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(ledger)) {
    if (typeof value !== "function") {
      guarded[name] = value;
      continue;
    }
    guarded[name] = (...args: unknown[]): unknown => {
      try {
        return (value as (...a: unknown[]) => unknown)(...args);
      } catch (error) {
        const why = whyNotWritable(error);
        if (why === undefined) throw error;
        throw new MigrateError(
          "ledger_write_failed",
          `${file}: the ledger cannot be written (${why}: ${(error as Error).message}); nothing more is sent. ` +
            "Free space (or move the ledger with its -wal file) and rerun: tokens sent but not recorded are " +
            "looked up in Authlete before anything is created again",
          { file, cause: error },
        );
      }
    };
  }
  return guarded as T;
}
