import { existsSync } from "node:fs";
import type { Argv } from "yargs";
import { loadMapping } from "../../map/index.js";
import { rollback } from "../../pipeline/index.js";
import { MigrateError } from "../../shared/errors.js";
import { resolveConnection } from "../connection.js";
import type { CommandResult } from "../types.js";

/** `authlete-migrate rollback --run <id>`: delete exactly the tokens that run created. */
export function rollbackCommand(yargs: Argv, done: (result: Promise<CommandResult>) => void) {
  return yargs.command(
    "rollback",
    "Delete from Authlete exactly the tokens one run created (by hash; --source to delete by value)",
    (y) =>
      y
        .option("run", { type: "number", demandOption: true, describe: "The run whose tokens to delete" })
        .option("ledger", { type: "string", default: "./authlete-migrate.db" })
        .option("dry-run", { type: "boolean", default: false, describe: "Count what would be deleted" })
        .option("source", { type: "string", array: true, describe: "The run's dumps, to delete by value" })
        .option("mapping", { type: "string", describe: "Mapping of --source" })
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
          if (argv.source && !argv.mapping)
            throw new MigrateError("usage", "--source needs --mapping", { option: "mapping" });
          const warn = (m: string) => process.stderr.write(`${m}\n`);
          const connection = argv["dry-run"]
            ? undefined
            : {
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
          const sources = argv.source
            ? {
                files: argv.source,
                mapping: loadMapping(argv.mapping!),
                read: {},
                now: argv.now === undefined ? undefined : Date.parse(argv.now),
              }
            : undefined;
          const summary = await rollback({
            ledgerFile: argv.ledger,
            runId: argv.run,
            dryRun: argv["dry-run"],
            connection,
            concurrency: argv.concurrency,
            sources,
          });
          const text = [
            `Rollback of run ${summary.ofRun}${summary.dryRun ? " (dry run)" : ""}: ${summary.tokens} token(s) created by that run and not yet rolled back`,
            `  deleted ${summary.deleted}, already absent ${summary.alreadyAbsent}, not found by hash ${summary.notFoundByHash}, failed ${summary.failed}`,
          ];
          if (summary.notFoundByHash > 0) {
            text.push(
              "Authlete does not know some tokens by the hash the ledger holds (its hash algorithm is inferred, not documented):",
            );
            text.push(
              "rerun with --source <the run's dumps> --mapping <its mapping> to delete them by value.",
            );
          }
          process.stdout.write(argv.json ? `${JSON.stringify(summary)}\n` : `${text.join("\n")}\n`);
          return { exitCode: summary.notFoundByHash + summary.failed > 0 ? 1 : 0 };
        })(),
      );
    },
  );
}
