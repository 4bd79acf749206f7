import { fileURLToPath } from "node:url";

/** Files shipped with the package, resolved from the compiled file's place in dist/src/cli. */
export const defaultSeedFile = fileURLToPath(
  new URL("../../../fixtures/emulator/seed.json", import.meta.url),
);
