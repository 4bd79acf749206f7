import type { Argv } from "yargs";
import { shadowCompare } from "../../checks/index.js";
import { basicPair, registerCredential } from "../../shared/outside.js";
import { checkInput, checkOptions, mismatchLines, nothingChecked } from "../checks.js";
import { positive } from "../option-values.js";
import { credential, serverUrl } from "../connection.js";
import type { CommandResult } from "../types.js";

/** `authlete-migrate compare <files..>`: the pre-cutover shadow check against the legacy server. */
export function compareCommand(yargs: Argv, done: (result: Promise<CommandResult>) => void) {
  return yargs.command(
    "compare <files..>",
    "Ask the legacy server (RFC 7662) and Authlete about the same migrated tokens and list every difference",
    (y) =>
      checkOptions(y, 4)
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
          default: 10,
          describe: "Calls per second to the legacy server",
        })
        .option("refresh-tokens", {
          type: "boolean",
          default: true,
          describe:
            "Ask about refresh tokens too (token_type_hint=refresh_token); --no-refresh-tokens for a server that introspects access tokens only (django-oauth-toolkit 1.x)",
        }),
    (argv) => {
      done(
        (async () => {
          const rate = positive("legacy-rate", argv["legacy-rate"], 10_000);
          const clientId = argv["legacy-client-id"];
          const clientSecret = credential("legacy client secret", {
            file: argv["legacy-client-secret-file"],
            option: "legacy-client-secret-file",
            variable: "LEGACY_CLIENT_SECRET",
          });
          // Whatever shows text from outside from now on is cleaned of them, in every form.
          registerCredential("[the client secret]", clientSecret);
          for (const pair of basicPair(clientId, clientSecret)) registerCredential(pair.label, pair.value);
          const summary = await shadowCompare({
            ...checkInput(argv),
            legacy: {
              introspectionUrl: serverUrl(
                argv["legacy-introspection"],
                "legacy-introspection",
                "the client secret comes from LEGACY_CLIENT_SECRET or --legacy-client-secret-file",
              ).href,
              clientId,
              clientSecret,
              timeoutMs: argv["timeout-ms"],
            },
            legacyRate: rate,
            refreshTokens: argv["refresh-tokens"],
          });
          const kinds =
            Object.entries(summary.mismatches)
              .map(([k, n]) => `${k} ${n}`)
              .join(", ") || "none";
          const rows = mismatchLines(summary.mismatchRows);
          const text = [
            `Compared ${summary.compared} of ${summary.migrated} migrated tokens with the legacy server: ${summary.matched} match; differences: ${kinds}` +
              (summary.refreshOnly ? ` (${summary.refreshOnly} refresh-only, not compared)` : ""),
            ...rows,
            ...(summary.compared === 0 ? [nothingChecked(summary.migrated)] : []),
          ].join("\n");
          process.stdout.write(argv.json ? `${JSON.stringify(summary)}\n` : `${text}\n`);
          return { exitCode: summary.compared > 0 && summary.matched === summary.compared ? 0 : 1 };
        })(),
      );
    },
  );
}
