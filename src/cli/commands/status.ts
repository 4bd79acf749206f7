import { ledgerOption } from "../paths.js";
import { describeClock, describeCutover, type RunSummary } from "../../report/index.js";
import { isCount, isInstantMs } from "../../shared/numbers.js";
import { printable } from "../../shared/text.js";
import { withExistingLedger } from "../connection.js";
import { command } from "../command.js";

/** `authlete-migrate status`: per-run and per-state counts, reasons, and what is left. */
export const statusCommand = command(
  "status",
  "Show what the ledger says: runs, states, reasons, what is left",
  (y) => y.option("ledger", ledgerOption).option("json", { type: "boolean", default: false }),
  (argv) =>
    withExistingLedger(argv.ledger, async (ledger) => {
      const status = ledger.status();
      if (argv.json) {
        process.stdout.write(`${JSON.stringify(status)}\n`);
        return { exitCode: 0 };
      }
      const lines = [`Ledger ${argv.ledger}`, "", "Runs:"];
      for (const run of status.runs) {
        // A ledger is a file: anything in it may have been edited, so every count is checked.
        const raw = (run.summary ?? {}) as Record<string, unknown>;
        const s = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, shownCount(v)]));
        const counts =
          s.ofRun !== undefined
            ? `rollback of run ${s.ofRun}: deleted ${s.deleted} already absent ${s.alreadyAbsent} not found ${s.notFoundByHash}`
            : s.verified !== undefined || s.compared !== undefined
              ? `${s.verified !== undefined ? "verify" : "compare with the legacy server"}: ${s.verified ?? s.compared} of ${s.migrated} migrated tokens checked, ${s.matched} match`
              : s.tombstones !== undefined
                ? `bridge: ${bridgeCounts(raw.lazy)}, ${s.tombstones} revoked through it`
                : (run.summary as { unreadable?: boolean } | null)?.unreadable
                  ? "summary unreadable (not JSON: the ledger was edited or damaged)"
                  : s.rows === undefined && run.summary
                    ? stoppedBy(run.summary)
                    : run.summary
                      ? `rows ${s.rows} created ${s.created} skipped ${s.skipped} rejected ${s.rejected} failed ${s.failed}`
                      : "";
        const kind = run.dryRun ? "dry run" : "live";
        lines.push(`  #${run.id} ${shownTime(run.startedAt)} ${kind} ${run.status} ${counts}`);
      }
      lines.push("", "Tokens by state:");
      for (const [state, n] of Object.entries(status.states))
        lines.push(`  ${state.padEnd(10)}${shownCount(n)}`);
      lines.push("", "By reason:");
      for (const [reason, n] of Object.entries(status.reasons))
        lines.push(`  ${printable(reason, 60).padEnd(24)}${shownCount(n)}`);
      lines.push("", `Left for the next run: ${status.left} (pending and failed)`);
      const clocks = status.runs.map((r) => (r.summary as RunSummary | null)?.authleteClock);
      const lastClock = clocks.filter((c) => c !== undefined).at(-1);
      if (lastClock) lines.push(describeClock(lastClock));
      lines.push(
        status.cutover === "unreadable"
          ? "Cutover: the record is not one this tool wrote (edited or damaged); runs and cutover refuse this ledger"
          : status.cutover
            ? describeCutover(status.cutover)
            : "Cutover: not recorded",
      );
      // Statuses, reasons and messages come from a file: nothing in them may drive the terminal.
      process.stdout.write(`${lines.map((line) => printable(line, 2000)).join("\n")}\n`);
      return { exitCode: 0 };
    }),
);

/** A count as a ledger holds it: a whole number ≥ 0, else said to be none (−5, 1e18, text). */
function shownCount(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  return isCount(value) ? String(value) : "(not a count)";
}

/** A time as a ledger holds it (epoch ms), else said to be none. */
function shownTime(value: unknown): string {
  return isInstantMs(value) ? new Date(value).toISOString() : "(no time)";
}

/** A bridge run's first uses by outcome (counts checked: a ledger is a file anyone may edit). */
function bridgeCounts(lazy: unknown): string {
  const counts = typeof lazy === "object" && lazy !== null ? Object.entries(lazy) : [];
  const shown = counts.map(([outcome, n]) => `${printable(outcome, 40)} ${shownCount(n)}`).join(", ");
  return `first uses ${shown || "none"}`;
}

/** A run that stopped on a fatal error before it could count its rows. */
function stoppedBy(summary: unknown): string {
  const error = (summary as { error?: { code: string; message: string } }).error;
  return error ? `stopped: ${error.message} [${error.code}]` : "stopped before counting its rows";
}
