import { checkInput, checkOptions, mismatchLines, nothingChecked } from "../checks.js";
import { legacyOptions, legacyRate, legacyServer } from "../legacy.js";
import { command } from "../command.js";

/** `authlete-migrate compare <files..>`: the pre-cutover shadow check against the legacy server. */
export const compareCommand = command(
  "compare <files..>",
  "Ask the legacy server (RFC 7662) and Authlete about the same migrated tokens and list every difference",
  (y) =>
    legacyOptions(checkOptions(y, 4), 10).option("refresh-tokens", {
      type: "boolean",
      default: true,
      describe:
        "Ask about refresh tokens too (token_type_hint=refresh_token); --no-refresh-tokens for a server that introspects access tokens only (django-oauth-toolkit 1.x)",
    }),
  async (argv) => {
    // Loaded for this command only: every other command starts without it.
    const { shadowCompare } = await import("../../checks/index.js");
    const summary = await shadowCompare({
      ...checkInput(argv),
      legacy: legacyServer(argv, argv["timeout-ms"]),
      legacyRate: legacyRate(argv["legacy-rate"]),
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
  },
);
