import { join } from "node:path";
import { ledgerOption } from "../paths.js";
import type { RunRecord } from "../../ledger/index.js";
import type { ReasonCode } from "../../map/index.js";
import {
  prepareReportDir,
  RejectsFile,
  writeReportFiles,
  type CheckVerdict,
  type RunSummary,
} from "../../report/index.js";
import { MigrateError } from "../../shared/errors.js";
import { withExistingLedger } from "../connection.js";
import { command } from "../command.js";

/** `authlete-migrate report`: report.json, report.html and rejects.csv from a ledger. */
export const reportCommand = command(
  "report",
  "Write report.json, report.html and rejects.csv for a run of a ledger",
  (y) =>
    y
      .option("ledger", ledgerOption)
      .option("out", { type: "string", demandOption: true, describe: "Directory to write the report to" })
      .option("run", { type: "number", describe: "The run to report (default: the last migrate run)" }),
  (argv) =>
    withExistingLedger(argv.ledger, async (ledger) => {
      const all = ledger.status().runs;
      const runs = all.filter((r) => (r.summary as { rows?: number } | null)?.rows !== undefined);
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
      const checks = latestChecks(all, run.id);
      writeReportFiles(argv.out, { ...(run.summary as RunSummary), checks });
      const rejects = new RejectsFile(join(argv.out, "rejects.csv"));
      for (const r of ledger.rejections())
        rejects.add(
          {
            file: r.file,
            rowNo: r.rowNo,
            line: r.line ?? undefined,
            key: r.key,
            detail: r.detail ?? undefined,
          },
          r.reason as ReasonCode,
        );
      rejects.close();
      process.stdout.write(
        `Report of run ${run.id} written to ${argv.out} (report.html, report.json, rejects.csv)\n`,
      );
      return { exitCode: 0 };
    }),
);

interface CheckRunSummary {
  verified?: number;
  compared?: number;
  migrated: number;
  matched: number;
  mismatches: Record<string, number>;
  mismatchRows: CheckVerdict["mismatchRows"];
}

/** The last verify and the last compare run after run `after`, as verdicts for its report. */
function latestChecks(runs: readonly RunRecord[], after: number): CheckVerdict[] {
  const verdicts = new Map<CheckVerdict["check"], CheckVerdict>();
  for (const run of runs) {
    const s = run.summary as CheckRunSummary | null;
    if (run.id <= after || !s || (s.verified === undefined && s.compared === undefined)) continue;
    const check = s.verified !== undefined ? "verify" : "compare";
    verdicts.set(check, {
      check,
      runId: run.id,
      startedAt: new Date(run.startedAt).toISOString(),
      checked: s.verified ?? s.compared ?? 0,
      migrated: s.migrated,
      matched: s.matched,
      mismatches: s.mismatches,
      mismatchRows: s.mismatchRows ?? [],
    });
  }
  return [...verdicts.values()];
}
