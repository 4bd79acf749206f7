import { loadMapping } from "../map/index.js";
import type { Mapping } from "../map/index.js";
import { warnIfOthersCanRead } from "./connection.js";

/** The mapping of a command, with a warning for each LINE assertion private key other users can read. */
export function loadCommandMapping(spec: string, warn: (message: string) => void): Mapping {
  const mapping = loadMapping(spec);
  for (const key of mapping.validKeyIds?.issuer?.channels.values() ?? [])
    warnIfOthersCanRead(key.privateKeyFile, "the LINE assertion private key", warn);
  return mapping;
}
