import type { DryRunSink, Ledger, RowSink } from "../ledger/index.js";
import { estimatedRows } from "../rows/index.js";
import type { MigrateConfig } from "./types.js";

/** The ledger's sink for a run's rows: a dry run's throwaway list, or the entry store of a live run. */
export function openSink(setup: {
  config: MigrateConfig;
  ledger: Ledger;
  runId: number;
  total: number | undefined;
  afterCutover: boolean;
}): { sink: RowSink; dry?: DryRunSink } {
  const { config, ledger, runId, afterCutover } = setup;
  const { retryRejected, syncDeletions } = config;
  if (!config.dryRun) return { sink: ledger.liveSink({ runId, retryRejected, syncDeletions, afterCutover }) };
  const expectedRows = setup.total ?? estimatedRows(config.files, config.read.format);
  const dry = ledger.dryRunSink({ retryRejected, expectedRows, afterCutover });
  return { sink: dry, dry };
}
