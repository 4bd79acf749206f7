import type { Argv } from "yargs";
import { loadCommandMapping } from "../mapping.js";
import { verify } from "../../pipeline/index.js";
import { connectionOptions, connectionSettings, existingLedger } from "../connection.js";
import type { CommandResult } from "../types.js";

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
            now: argv.now === undefined ? undefined : Date.parse(argv.now),
            concurrency: argv.concurrency,
          });
          const mismatches =
            Object.entries(summary.mismatches)
              .map(([k, n]) => `${k} ${n}`)
              .join(", ") || "none";
          const text = `Verified ${summary.verified} of ${summary.migrated} migrated tokens: ${summary.matched} match; mismatches: ${mismatches}`;
          process.stdout.write(argv.json ? `${JSON.stringify(summary)}\n` : `${text}\n`);
          return { exitCode: summary.matched === summary.verified ? 0 : 1 };
        })(),
      );
    },
  );
}
