import { join } from "node:path";
import type { Argv } from "yargs";
import { openLedger } from "../../ledger/index.js";
import type { ReasonCode } from "../../map/types.js";
import { prepareReportDir, RejectsFile, writeReportFiles, type RunSummary } from "../../report/index.js";
import { MigrateError } from "../../shared/errors.js";
import { existingLedger } from "../connection.js";
import type { CommandResult } from "../types.js";

/** `authlete-migrate report`: report.json, report.html and rejects.csv from a ledger. */
export function reportCommand(yargs: Argv, done: (result: Promise<CommandResult>) => void) {
  return yargs.command(
    "report",
    "Write report.json, report.html and rejects.csv for a run of a ledger",
    (y) =>
      y
        .option("ledger", { type: "string", default: "./authlete-migrate.db" })
        .option("out", { type: "string", demandOption: true, describe: "Directory to write the report to" })
        .option("run", { type: "number", describe: "The run to report (default: the last migrate run)" }),
    (argv) => {
      done(
        (async () => {
          const ledger = openLedger(existingLedger(argv.ledger));
          try {
            const runs = ledger
              .status()
              .runs.filter((r) => (r.summary as { rows?: number } | null)?.rows !== undefined);
            const run = argv.run === undefined ? runs.at(-1) : runs.find((r) => r.id === argv.run);
            if (!run)
              throw new MigrateError(
                "usage",
                argv.run === undefined
                  ? "the ledger has no finished migrate run"
                  : `no migrate run ${argv.run} in the ledger`,
                { option: "run" },
              );
            prepareReportDir(argv.out);
            writeReportFiles(argv.out, run.summary as RunSummary);
            const rejects = new RejectsFile(join(argv.out, "rejects.csv"));
            for (const r of ledger.rejections())
              rejects.add(
                { file: r.file, line: r.line, key: r.key, detail: r.detail ?? undefined },
                r.reason as ReasonCode,
              );
            rejects.close();
            process.stdout.write(
              `Report of run ${run.id} written to ${argv.out} (report.html, report.json, rejects.csv)\n`,
            );
            return { exitCode: 0 };
          } finally {
            ledger.close();
          }
        })(),
      );
    },
  );
}
