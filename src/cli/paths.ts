import { fileURLToPath } from "node:url";

/** Files shipped with the package, resolved from the compiled file's place in dist/src/cli. */
export const defaultSeedFile = fileURLToPath(
  new URL("../../../fixtures/emulator/seed.json", import.meta.url),
);

/** The --ledger option of every command that reads or writes a ledger: one definition, one default. */
export const ledgerOption = {
  type: "string",
  default: "./authlete-migrate.db",
  describe: "SQLite ledger of every row's fate",
} as const;
