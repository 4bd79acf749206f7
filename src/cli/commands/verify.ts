import { checkInput, checkOptions, mismatchLines, nothingChecked } from "../checks.js";
import { command } from "../command.js";

/** `authlete-migrate verify <files..>`: introspect migrated tokens and compare them with the legacy rows. */
export const verifyCommand = command(
  "verify <files..>",
  "Introspect migrated tokens and compare client, subject, scopes, expiry and refreshability with the legacy rows",
  (y) => checkOptions(y, 8),
  async (argv) => {
    // Loaded for this command only: every other command starts without it.
    const { verify } = await import("../../checks/index.js");
    const summary = await verify(checkInput(argv));
    const mismatches =
      Object.entries(summary.mismatches)
        .map(([k, n]) => `${k} ${n}`)
        .join(", ") || "none";
    const rows = mismatchLines(summary.mismatchRows);
    const more = summary.mismatchRows.length < Object.values(summary.mismatches).reduce((a, b) => a + b, 0);
    const text = [
      `Verified ${summary.verified} of ${summary.migrated} migrated tokens: ${summary.matched} match; mismatches: ${mismatches}`,
      ...rows,
      ...(more ? [`  … the first ${summary.mismatchRows.length} are listed`] : []),
      ...(summary.verified === 0 ? [nothingChecked(summary.migrated)] : []),
    ].join("\n");
    process.stdout.write(argv.json ? `${JSON.stringify(summary)}\n` : `${text}\n`);
    // Nothing checked is no "fine": exit 1, said.
    return { exitCode: summary.verified > 0 && summary.matched === summary.verified ? 0 : 1 };
  },
);
