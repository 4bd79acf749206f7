import { ledgerOption } from "../paths.js";
import type { RunSummary } from "../../run/index.js";
import { formatSummary } from "../../report/index.js";
import { gzipRatioCheckedFromMiB, postgresqlSource } from "../../read/index.js";
import { printable } from "../../shared/text.js";
import { createProgressView } from "../progress.js";
import { connectionOptions } from "../connection.js";
import { lineBaseUrlOption } from "../mapping.js";
import { buildMigrateConfig, type MigrateArgs } from "./migrate-options.js";
import { command } from "../command.js";

/** Exit code of a finished run: 3 stopped, 1 any row rejected or failed (or a dry run's blocking finding), else 0. */
export function exitCodeOf(summary: RunSummary): number {
  if (summary.status !== "completed" || summary.deletions?.refused) return 3;
  const blocked = summary.serviceFindings?.some((f) => f.blocking) === true;
  return summary.rejected + summary.failed > 0 || blocked ? 1 : 0;
}

/** SIGINT/SIGTERM stop gracefully; a second SIGINT stops at once (pending rows resolve on the next run). */
function stopOnSignals(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      if (name === "SIGINT") {
        process.stderr.write("authlete-migrate: stopping now; rerun to resolve the pending rows\n");
        process.exit(3);
      }
      return;
    }
    process.stderr.write(
      `authlete-migrate: ${name}: finishing in-flight requests (Ctrl-C again to stop at once)\n`,
    );
    controller.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return {
    signal: controller.signal,
    dispose() {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    },
  };
}

/** `authlete-migrate migrate <files..>` */
export const migrateCommand = command(
  "migrate <files..>",
  "Migrate legacy tokens into Authlete (or --dry-run to validate)",
  (y) =>
    connectionOptions(y)
      .positional("files", {
        type: "string",
        array: true,
        demandOption: true,
        describe: "CSV, JSON array or NDJSON dumps (.gz too)",
      })
      .option("mapping", { type: "string", demandOption: true, describe: "Mapping file (JSON)" })
      .option("line-base-url", lineBaseUrlOption)
      .option("ledger", ledgerOption)
      .option("dry-run", { type: "boolean", default: false, describe: "Validate and report; send nothing" })
      .option("retry-rejected", {
        type: "boolean",
        default: false,
        describe: "Try rows rejected by an earlier run again",
      })
      .option("sync-deletions", {
        type: "boolean",
        describe:
          "The dump is complete: revoke tokens this ledger created that are no longer in it (--no-sync-deletions: keep them, said explicitly for a source that revokes by deleting rows)",
      })
      .option("max-revocations", {
        type: "number",
        describe:
          "With --sync-deletions: revoke at most this many tokens; more stops before the first (default: 10 % of the tokens created before the run, at least 10)",
      })
      .option("expect-rows", {
        type: "number",
        describe:
          "The rows the sources hold, as counted at the export: --sync-deletions revokes nothing when the count differs (needed for standard input)",
      })
      .option("concurrency", { type: "number", default: 16 })
      .option("writers", {
        type: "number",
        describe:
          "Threads making the calls to Authlete (default: cores - 1, at least 1, started after the first 256 calls, which a short run makes on the main thread; 0: all on the main thread)",
      })
      .option("rate", { type: "number", default: 50, describe: "Requests per second to Authlete" })
      .option("now", { type: "string", describe: "Planning clock override (ISO 8601)" })
      .option("format", {
        choices: ["csv", "json", "ndjson"] as const,
        describe: "Source format (default: from the extension)",
      })
      .option("delimiter", { type: "string", describe: "CSV delimiter (default , or tab for .tsv)" })
      .option("max-attempts", { type: "number", default: 8 })
      .option("grace-ms", {
        type: "number",
        default: 10_000,
        describe: "How long in-flight calls may finish after a stop",
      })
      .option("give-up-after", {
        type: "number",
        default: 120,
        describe: "Seconds without a successful call before the run aborts",
      })
      .option("check-service", {
        type: "boolean",
        describe:
          "Read the target service's settings, clients and scopes (read-only) and check them against the dump; always on for live runs (--no-check-service opts out, for a bearer without read rights)",
      })
      .option("max-record-size", {
        type: "number",
        default: 8,
        describe:
          "MiB a CSV record or NDJSON line may take; a larger one stops its file (a bomb is not read)",
      })
      .option("max-gzip-ratio", {
        type: "number",
        default: 100,
        describe: `Times its size a gzipped dump may decompress to (checked past ${gzipRatioCheckedFromMiB} MiB); more stops the file as a gzip bomb`,
      })
      .option("max-depth", {
        type: "number",
        default: 64,
        describe: "Levels a JSON row may nest; a deeper row is rejected",
      })
      .option("max-clock-skew", {
        type: "number",
        default: 60,
        describe: "Seconds Authlete's clock may be off this host's before the run refuses to start",
      })
      .option("report", {
        type: "string",
        describe: "Directory for report.json, report.html and rejects.csv",
      })
      .option("json", {
        type: "boolean",
        default: false,
        describe: "Print one JSON summary object on stdout",
      })
      .option("quiet", { type: "boolean", default: false, describe: "No progress output" }),
  async (argv) => {
    const warn = (m: string) => process.stderr.write(`${m}\n`);
    const config = buildMigrateConfig(argv as unknown as MigrateArgs, process.env, warn);
    const query = config.read.postgresqlQuery;
    // The SQL comes from a mapping file (shared, downloaded): a dry run shows what will run.
    if (config.dryRun && query && config.files.includes(postgresqlSource))
      warn(`postgresql: runs this query, read-only: ${printable(query, 4000)}`);
    const view = createProgressView(process.stderr, argv.quiet);
    const signals = stopOnSignals();
    try {
      // Loaded for this command only: every other command starts without it.
      const { migrate } = await import("../../run/index.js");
      const summary = await migrate({
        ...config,
        reportDir: argv.report,
        stop: signals.signal,
        onProgress: (p) => view.update(p),
      });
      view.stop();
      process.stdout.write(argv.json ? `${JSON.stringify(summary)}\n` : `${formatSummary(summary)}\n`);
      if (summary.deletions?.refused)
        process.stderr.write(
          `authlete-migrate: ${printable(summary.deletions.refused, 2000)} [deletions_refused]\n`,
        );
      else if (summary.status !== "completed") {
        const why = summary.error ? `${summary.error.message} [${summary.error.code}]` : "interrupted";
        process.stderr.write(
          `authlete-migrate: ${why}; ${summary.pending} row(s) pending — rerun the same command to resume\n`,
        );
      }
      return { exitCode: exitCodeOf(summary) };
    } finally {
      view.stop();
      signals.dispose();
    }
  },
);
