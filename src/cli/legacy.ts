import type { Argv } from "yargs";
import type { LegacyServer } from "../legacy/index.js";
import { basicPair, registerCredential } from "../shared/outside.js";
import { credential, serverUrl } from "./connection.js";
import { positive } from "./option-values.js";

/** The flags that name the legacy server and its client (compare, bridge). */
export function legacyOptions<T>(y: Argv<T>, rate: number) {
  return y
    .option("legacy-introspection", {
      type: "string",
      demandOption: true,
      describe: "The legacy server's RFC 7662 introspection endpoint",
    })
    .option("legacy-client-id", {
      type: "string",
      demandOption: true,
      describe: "Client allowed to introspect",
    })
    .option("legacy-client-secret-file", {
      type: "string",
      describe: "File holding that client's secret (or LEGACY_CLIENT_SECRET)",
    })
    .option("legacy-rate", {
      type: "number",
      default: rate,
      describe: "Calls per second to the legacy server",
    });
}

/** The legacy server those flags name; its client's credentials are cleaned out of all that is shown. */
export function legacyServer(
  argv: {
    "legacy-introspection": string;
    "legacy-client-id": string;
    "legacy-client-secret-file"?: string;
  },
  timeoutMs: number,
): LegacyServer {
  const clientId = argv["legacy-client-id"];
  const clientSecret = credential("legacy client secret", {
    file: argv["legacy-client-secret-file"],
    option: "legacy-client-secret-file",
    variable: "LEGACY_CLIENT_SECRET",
  });
  // Whatever shows text from outside from now on is cleaned of them, in every form.
  registerCredential("[the client secret]", clientSecret);
  for (const pair of basicPair(clientId, clientSecret)) registerCredential(pair.label, pair.value);
  const from = "the client secret comes from LEGACY_CLIENT_SECRET or --legacy-client-secret-file";
  const introspectionUrl = serverUrl(argv["legacy-introspection"], "legacy-introspection", from).href;
  return { introspectionUrl, clientId, clientSecret, timeoutMs };
}

/** `--legacy-rate`, checked. */
export const legacyRate = (value: number) => positive("legacy-rate", value, 10_000);
