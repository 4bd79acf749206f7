import { plannedFate, type Decision } from "../ledger/index.js";
import { bucketOf } from "../report/index.js";
import type { MappedRow } from "../rows/index.js";
import type { MapResult } from "../map/index.js";
import { endMigratedOne, revokeMigrated } from "./revocation.js";
import type { Admission, Admitted, Fate, SettleContext } from "./types.js";

/**
 * Settles one token: checked, admitted, written (or revoked, or one of its pair ended), recorded — the
 * one path a row takes to its fate, whoever asks (the batch run, a service, a test). Counts nothing.
 */
export async function settle(row: MappedRow, context: SettleContext): Promise<Fate> {
  const [admission] = await admit([row], context);
  return carryOut(admission!, context);
}

/**
 * The first steps for many rows at once: each row checked, then all admitted in one ledger transaction
 * (a batch run's rows are admitted so, thousands a second), each with the ledger's decision.
 */
export async function admit(rows: readonly MappedRow[], context: SettleContext): Promise<Admission[]> {
  const checked: { at: Admitted; mapped: MapResult }[] = [];
  for (const mapped of rows) {
    const result = context.check(mapped.result, mapped.now);
    checked.push({
      at: admittedRow(mapped, result instanceof Promise ? await result : result),
      mapped: mapped.result,
    });
  }
  const decisions = context.sink.admit(checked.map((c) => c.at));
  return decisions.map((decision, i) => ({ at: checked[i]!.at, mapped: checked[i]!.mapped, decision }));
}

/**
 * An admission's fate when it is known without a call: settled by the ledger, planned (nothing is sent:
 * a dry run), or left pending because the run is stopping. Undefined: Authlete must be called.
 */
export function knownFate(admission: Admission, context: SettleContext): Fate | undefined {
  const { decision } = admission;
  // After a stop, admitted tokens are not sent: they stay pending and the next run resolves them.
  if (decision.action === "write" && context.stopping()) return { state: "pending", reason: "interrupted" };
  if (!context.writer || decision.action === "settled") return planned(admission);
  return undefined;
}

/** The last steps: the decision carried out at Authlete and recorded (or its fate known at once). */
export async function carryOut(admission: Admission, context: SettleContext): Promise<Fate> {
  const known = knownFate(admission, context);
  if (known) return known;
  const { decision } = admission;
  const run = { writer: context.writer!, ledger: context.ledger, runId: context.runId };
  switch (decision.action) {
    case "revoke":
      return revokeMigrated(run, decision, "revoked_since_migration");
    case "end_refresh":
    case "end_access":
      return endMigratedOne(run, decision.action === "end_refresh" ? "refresh" : "access", decision);
    default: {
      const write = decision as Extract<Decision, { action: "write" }>;
      const sent = write.payload ?? undefined;
      const outcome = await run.writer.write(write);
      if (outcome === null) return { state: "pending", reason: "interrupted", sent };
      context.record(outcome);
      const { state, reason, detail } = outcome;
      return { state, reason, detail, outcome, sent };
    }
  }
}

/** A decision's fate with nothing sent: settled by the ledger, or what a live run would do (a dry run). */
export function planned({ decision, at }: Admission): Fate {
  const { state, reason } = plannedFate(decision);
  const fate: Fate = { state, reason: reason as Fate["reason"] };
  if (decision.action === "write" && decision.payload) fate.sent = decision.payload;
  if (decision.action !== "settled") return fate;
  // An earlier run rejected it, and it maps to a payload now: --retry-rejected would send it.
  if (state === "rejected" && at.result.kind === "payload") fate.retryable = true;
  // The map's detail belongs to the map's reason, not to one an earlier run recorded.
  const own = at.result.kind !== "payload" && at.result.reason === reason;
  fate.detail = own ? at.detail : "recorded by an earlier run";
  return fate;
}

/** A mapped row as the ledger and the report take it. */
export function admittedRow({ row, client, now }: MappedRow, result: MapResult): Admitted {
  return {
    file: row.file,
    rowNo: row.rowNo,
    line: row.line ?? row.rowNo,
    result,
    bucket: result.kind === "payload" ? bucketOf(result, now) : undefined,
    client,
    key: result.key,
    detail: result.kind === "payload" ? undefined : result.detail,
  };
}
