import { lineIssuerOverride } from "../line/index.js";
import { loadMapping } from "../map/index.js";
import type { Mapping } from "../map/index.js";
import { MigrateError } from "../shared/errors.js";
import { printable } from "../shared/text.js";
import { warnIfOthersCanRead } from "./connection.js";

/**
 * The mapping of a command, with a warning for each LINE assertion private key other users can read.
 * `lineBaseUrl` (--line-base-url) sends the LINE assertions to another issuer than LINE: only the command
 * line may say so, never a mapping, and it is said on start.
 */
export function loadCommandMapping(
  spec: string,
  warn: (message: string) => void,
  lineBaseUrl?: string,
): Mapping {
  const mapping = loadMapping(spec);
  const keyIds = mapping.validKeyIds;
  for (const key of keyIds?.issuer?.channels.values() ?? [])
    warnIfOthersCanRead(key.privateKeyFile, "the LINE assertion private key", warn);
  if (lineBaseUrl === undefined) return mapping;
  const origin = lineIssuerOverride(lineBaseUrl);
  if (typeof origin !== "string")
    throw new MigrateError("usage", `--line-base-url ${origin.problem}`, { option: "line-base-url" });
  if (!keyIds?.issuer)
    throw new MigrateError("usage", "--line-base-url: the mapping asks no LINE issuer (validKeyIds.line)", {
      option: "line-base-url",
    });
  warn(`LINE client assertions go to ${printable(origin)} (--line-base-url), not to LINE`);
  return { ...mapping, validKeyIds: { ...keyIds, issuer: { ...keyIds.issuer, baseUrl: origin } } };
}

/** The --line-base-url option, for every command that may ask LINE. */
export const lineBaseUrlOption = {
  type: "string",
  describe:
    "Send the LINE client assertions to this issuer instead of LINE (a test stand-in; https, or http on loopback); a mapping cannot",
} as const;
