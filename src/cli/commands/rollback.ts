import { ledgerOption } from "../paths.js";
import { loadMapping } from "../../map/index.js";
import { MigrateError } from "../../shared/errors.js";
import { connectionOptions, connectionSettings, existingLedger } from "../connection.js";
import { parseNow } from "../now.js";
import { command } from "../command.js";

/** `authlete-migrate rollback --run <id>`: delete exactly the tokens that run created. */
export const rollbackCommand = command(
  "rollback",
  "Delete from Authlete exactly the tokens one run (or every run) created (by hash; --source to delete by value)",
  (y) =>
    connectionOptions(y)
      .option("run", { type: "number", describe: "The run whose tokens to delete" })
      .option("all", { type: "boolean", default: false, describe: "Every token this ledger created" })
      .check((argv) => {
        if ((argv.run === undefined) === !argv.all)
          throw new MigrateError("usage", "say --run <id> or --all (one of them)");
        return true;
      })
      .option("ledger", ledgerOption)
      .option("dry-run", { type: "boolean", default: false, describe: "Count what would be deleted" })
      .option("source", { type: "string", array: true, describe: "The run's dumps, to delete by value" })
      .option("mapping", { type: "string", describe: "Mapping of --source" })
      .option("now", { type: "string" })
      .option("concurrency", { type: "number", default: 8 })
      .option("json", { type: "boolean", default: false }),
  async (argv) => {
    const ledgerFile = existingLedger(argv.ledger);
    if (argv.source && !argv.mapping)
      throw new MigrateError("usage", "--source needs --mapping", { option: "mapping" });
    const sources = argv.source
      ? {
          files: argv.source,
          mapping: loadMapping(argv.mapping!),
          read: {},
          now: parseNow(argv.now),
        }
      : undefined;
    // Loaded for this command only: every other command starts without it.
    const { rollback } = await import("../../rollback/index.js");
    const summary = await rollback({
      ledgerFile,
      runId: argv.all ? "all" : argv.run!,
      dryRun: argv["dry-run"],
      connection: argv["dry-run"] ? undefined : connectionSettings(argv, argv.concurrency),
      concurrency: argv.concurrency,
      sources,
    });
    const text = [
      `Rollback of ${summary.ofRun === "all" ? "every run" : `run ${summary.ofRun}`}${summary.dryRun ? " (dry run)" : ""}: ${summary.tokens} token(s) created and not yet rolled back`,
      summary.dryRun
        ? `  would delete ${summary.tokens}`
        : `  deleted ${summary.deleted}, already absent ${summary.alreadyAbsent}, not found by hash ${summary.notFoundByHash}, failed ${summary.failed}`,
    ];
    if (summary.notFoundByHash > 0) {
      text.push(
        "Authlete does not know some tokens by the hash the ledger holds (its hash algorithm is inferred, not documented):",
      );
      text.push("rerun with --source <the run's dumps> --mapping <its mapping> to delete them by value.");
    }
    process.stdout.write(argv.json ? `${JSON.stringify(summary)}\n` : `${text.join("\n")}\n`);
    return { exitCode: summary.notFoundByHash + summary.failed > 0 ? 1 : 0 };
  },
);
