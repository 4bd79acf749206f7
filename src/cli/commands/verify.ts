import type { Argv } from "yargs";
import { loadCommandMapping } from "../mapping.js";
import { verify } from "../../pipeline/index.js";
import { connectionOptions, connectionSettings, existingLedger } from "../connection.js";
import type { CommandResult } from "../types.js";
import { printable } from "../../shared/text.js";
import { parseNow } from "../now.js";

/** `authlete-migrate verify <files..>`: introspect migrated tokens and compare them with the legacy rows. */
export function verifyCommand(yargs: Argv, done: (result: Promise<CommandResult>) => void) {
  return yargs.command(
    "verify <files..>",
    "Introspect migrated tokens and compare client, subject, scopes, expiry and refreshability with the legacy rows",
    (y) =>
      connectionOptions(y)
        .positional("files", { type: "string", array: true, demandOption: true })
        .option("mapping", { type: "string", demandOption: true })
        .option("ledger", { type: "string", default: "./authlete-migrate.db" })
        .option("sample", {
          type: "number",
          default: 100,
          describe: "How many migrated tokens to check at random",
        })
        .option("all", { type: "boolean", default: false, describe: "Check every migrated token" })
        .option("now", { type: "string" })
        .option("concurrency", { type: "number", default: 8 })
        .option("json", { type: "boolean", default: false }),
    (argv) => {
      done(
        (async () => {
          const summary = await verify({
            files: argv.files,
            mapping: loadCommandMapping(argv.mapping, (m) => process.stderr.write(`${m}\n`)),
            read: {},
            ledgerFile: existingLedger(argv.ledger),
            connection: connectionSettings(argv, argv.concurrency),
            sample: argv.all ? undefined : argv.sample,
            now: parseNow(argv.now),
            concurrency: argv.concurrency,
          });
          const mismatches =
            Object.entries(summary.mismatches)
              .map(([k, n]) => `${k} ${n}`)
              .join(", ") || "none";
          // Rows are sorted so the listing does not depend on the order answers came back in.
          const rows = [...summary.mismatchRows]
            .sort((a, b) => a.at.localeCompare(b.at, undefined, { numeric: true }))
            .map((m) => `  ${printable(m.at)} ${m.fingerprint} ${m.kind}: ${m.detail}`);
          const more =
            summary.mismatchRows.length < Object.values(summary.mismatches).reduce((a, b) => a + b, 0);
          const text = [
            `Verified ${summary.verified} of ${summary.migrated} migrated tokens: ${summary.matched} match; mismatches: ${mismatches}`,
            ...rows,
            ...(more ? [`  … the first ${summary.mismatchRows.length} are listed`] : []),
          ].join("\n");
          process.stdout.write(argv.json ? `${JSON.stringify(summary)}\n` : `${text}\n`);
          return { exitCode: summary.matched === summary.verified ? 0 : 1 };
        })(),
      );
    },
  );
}
