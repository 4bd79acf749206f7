import pLimit from "p-limit";
import { withLedger, withRun, type Ledger, type RollbackTarget, type RunRecord } from "../ledger/index.js";
import type { Mapping } from "../map/index.js";
import type { ReadOptions } from "../read/index.js";
import { MigrateError } from "../shared/errors.js";
import { tokenHash } from "../shared/hash.js";
import type { ConnectionSettings } from "../write/index.js";
import { mappedRows } from "../rows/index.js";

export interface RollbackConfig {
  ledgerFile: string;
  /** The migration run whose tokens to delete, or "all": every token this ledger created. */
  runId: number | "all";
  dryRun: boolean;
  connection?: ConnectionSettings;
  concurrency: number;
  /** Sources to delete by value when Authlete does not know a token by the hash the ledger holds. */
  sources?: { files: readonly string[]; mapping: Mapping; read: ReadOptions; now?: number };
}

export interface RollbackSummary {
  rollbackRunId: number;
  ofRun: number | "all";
  dryRun: boolean;
  tokens: number;
  deleted: number;
  alreadyAbsent: number;
  /** Authlete answered 404 for the hash: its hash may differ from ours; give --source to delete by value. */
  notFoundByHash: number;
  failed: number;
}

/** Token values for the targets, read again from the sources (the ledger never has them). */
async function valuesFor(
  targets: RollbackTarget[],
  sources: NonNullable<RollbackConfig["sources"]>,
): Promise<Map<string, string>> {
  const wanted = new Set(targets.map((t) => t.sentHash));
  const values = new Map<string, string>();
  const now = sources.now ?? Date.now();
  // What the source lists as valid today does not matter: a run's tokens are deleted whatever LINE says.
  const mapping = { ...sources.mapping, validKeyIds: undefined };
  for await (const { result } of mappedRows({ ...sources, mapping, now })) {
    const value = result.probeToken;
    if (value !== undefined) {
      const hash = tokenHash(value);
      if (wanted.has(hash)) values.set(hash, value);
    }
  }
  return values;
}

/** Only a live migration run created tokens: any other run number is a mistake, said before anything. */
function refuseNotAMigration(runs: readonly RunRecord[], runId: number): void {
  const run = runs.find((r) => r.id === runId);
  const summary = (run?.summary ?? {}) as { ofRun?: unknown };
  const why = !run
    ? `this ledger has no run ${runId} (runs 1–${runs.length})`
    : run.dryRun
      ? `run ${runId} created nothing: it was a dry run, a verify or a compare`
      : summary.ofRun !== undefined
        ? `run ${runId} was itself a rollback`
        : undefined;
  if (why) throw new MigrateError("usage", `rollback --run ${runId}: ${why}`, { option: "run" });
}

/**
 * Deletes exactly the tokens one run created, by hash (or by value from the sources), records each
 * deletion, and can be rerun: what was deleted is no longer in the ledger as created.
 */
export async function rollback(config: RollbackConfig): Promise<RollbackSummary> {
  return withLedger(config.ledgerFile, async (ledger) => {
    if (config.runId !== "all") refuseNotAMigration(ledger.status().runs, config.runId);
    const targets = ledger.createdBy(config.runId === "all" ? undefined : config.runId);
    const start = {
      dryRun: config.dryRun,
      arguments: { command: "rollback", run: config.runId },
      sources: [],
      mappingHash: "",
    };
    return withRun(ledger, start, async (rollbackRunId) => {
      const summary: RollbackSummary = {
        rollbackRunId,
        ofRun: config.runId,
        dryRun: config.dryRun,
        tokens: targets.length,
        deleted: 0,
        alreadyAbsent: 0,
        notFoundByHash: 0,
        failed: 0,
      };
      if (config.dryRun || targets.length === 0) return { status: "completed", summary };
      const error = await deleteTargets(config, ledger, targets, summary);
      return { status: error ? "aborted" : "completed", summary, error };
    });
  });
}

/** Deletes the targets at Authlete, counting each in the summary; the error that ends it early, if any. */
async function deleteTargets(
  config: RollbackConfig,
  ledger: Ledger,
  targets: RollbackTarget[],
  summary: RollbackSummary,
): Promise<MigrateError | undefined> {
  const values = config.sources ? await valuesFor(targets, config.sources) : new Map<string, string>();
  const { connectAuthlete, deleteToken } = await import("../write/index.js");
  const authlete = connectAuthlete(config.connection!);
  const limit = pLimit(config.concurrency);
  let fatal: MigrateError | undefined;
  try {
    await Promise.all(
      targets.map((target) =>
        limit(async () => {
          if (fatal) return;
          const value = values.get(target.sentHash);
          const result = await deleteToken(authlete, value ?? target.sentHash);
          if (result.kind === "deleted") {
            ledger.recordRollback(target, summary.rollbackRunId, "deleted");
            summary.deleted++;
          } else if (result.kind === "not_found" && value !== undefined) {
            ledger.recordRollback(target, summary.rollbackRunId, "already_absent");
            summary.alreadyAbsent++;
          } else if (result.kind === "not_found") summary.notFoundByHash++;
          else {
            summary.failed++;
            if (result.fatal)
              fatal = new MigrateError(
                "authentication_failed",
                `Authlete refused the credentials (${result.detail})`,
              );
          }
        }),
      ),
    );
  } finally {
    await authlete.close();
  }
  return fatal;
}
