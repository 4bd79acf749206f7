import { existsSync } from "node:fs";
import type { Argv } from "yargs";
import { loadMapping } from "../../map/index.js";
import { verify } from "../../pipeline/index.js";
import { MigrateError } from "../../shared/errors.js";
import { resolveConnection } from "../connection.js";
import type { CommandResult } from "../types.js";

/** `authlete-migrate verify <files..>`: introspect migrated tokens and compare them with the legacy rows. */
export function verifyCommand(yargs: Argv, done: (result: Promise<CommandResult>) => void) {
  return yargs.command(
    "verify <files..>",
    "Introspect migrated tokens and compare client, subject, scopes, expiry and refreshability with the legacy rows",
    (y) =>
      y
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
        .option("base-url", { type: "string" })
        .option("service-id", { type: "string" })
        .option("bearer-file", { type: "string" })
        .option("timeout-ms", { type: "number", default: 30_000 })
        .option("json", { type: "boolean", default: false }),
    (argv) => {
      done(
        (async () => {
          if (!existsSync(argv.ledger))
            throw new MigrateError("usage", `no ledger at ${argv.ledger}`, { option: "ledger" });
          const warn = (m: string) => process.stderr.write(`${m}\n`);
          const connection = {
            ...resolveConnection({
              baseUrl: argv["base-url"],
              serviceId: argv["service-id"],
              bearerFile: argv["bearer-file"],
              env: process.env,
              warn,
            }),
            connections: argv.concurrency,
            attemptTimeoutMs: argv["timeout-ms"],
          };
          const summary = await verify({
            files: argv.files,
            mapping: loadMapping(argv.mapping),
            read: {},
            ledgerFile: argv.ledger,
            connection,
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
