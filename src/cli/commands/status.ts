import type { Argv } from "yargs";
import { openLedger } from "../../ledger/index.js";
import { describeClock, describeCutover, type RunSummary } from "../../report/index.js";
import { existingLedger } from "../connection.js";
import type { CommandResult } from "../types.js";

/** `authlete-migrate status`: per-run and per-state counts, reasons, and what is left. */
export function statusCommand(yargs: Argv, done: (result: Promise<CommandResult>) => void) {
  return yargs.command(
    "status",
    "Show what the ledger says: runs, states, reasons, what is left",
    (y) =>
      y
        .option("ledger", { type: "string", default: "./authlete-migrate.db" })
        .option("json", { type: "boolean", default: false }),
    (argv) => {
      done(
        (async () => {
          const ledger = openLedger(existingLedger(argv.ledger));
          try {
            const status = ledger.status();
            if (argv.json) {
              process.stdout.write(`${JSON.stringify(status)}\n`);
              return { exitCode: 0 };
            }
            const lines = [`Ledger ${argv.ledger}`, "", "Runs:"];
            for (const run of status.runs) {
              const s = (run.summary ?? {}) as Record<string, number | undefined>;
              const counts =
                s.ofRun !== undefined
                  ? `rollback of run ${s.ofRun}: deleted ${s.deleted} already absent ${s.alreadyAbsent} not found ${s.notFoundByHash}`
                  : s.verified !== undefined || s.compared !== undefined
                    ? `${s.verified !== undefined ? "verify" : "compare with the legacy server"}: ${s.verified ?? s.compared} of ${s.migrated} migrated tokens checked, ${s.matched} match`
                    : s.rows === undefined && run.summary
                      ? stoppedBy(run.summary)
                      : run.summary
                        ? `rows ${s.rows} created ${s.created} skipped ${s.skipped} rejected ${s.rejected} failed ${s.failed}`
                        : "";
              const kind = run.dryRun ? "dry run" : "live";
              lines.push(
                `  #${run.id} ${new Date(run.startedAt).toISOString()} ${kind} ${run.status} ${counts}`,
              );
            }
            lines.push("", "Tokens by state:");
            for (const [state, n] of Object.entries(status.states)) lines.push(`  ${state.padEnd(10)}${n}`);
            lines.push("", "By reason:");
            for (const [reason, n] of Object.entries(status.reasons))
              lines.push(`  ${reason.padEnd(24)}${n}`);
            lines.push("", `Left for the next run: ${status.left} (pending and failed)`);
            const clocks = status.runs.map((r) => (r.summary as RunSummary | null)?.authleteClock);
            const lastClock = clocks.filter((c) => c !== undefined).at(-1);
            if (lastClock) lines.push(describeClock(lastClock));
            lines.push(status.cutover ? describeCutover(status.cutover) : "Cutover: not recorded");
            process.stdout.write(`${lines.join("\n")}\n`);
            return { exitCode: 0 };
          } finally {
            ledger.close();
          }
        })(),
      );
    },
  );
}

/** A run that stopped on a fatal error before it could count its rows. */
function stoppedBy(summary: unknown): string {
  const error = (summary as { error?: { code: string; message: string } }).error;
  return error ? `stopped: ${error.message} [${error.code}]` : "stopped before counting its rows";
}
