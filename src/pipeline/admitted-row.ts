import type { Candidate, DryRunDuplicates, DryRunSink, Ledger, RowSink } from "../ledger/index.js";
import type { MapResult } from "../map/index.js";
import type { MappedRow } from "./mapped-rows.js";
import { bucketOf, type RepeatedRows, type RowRef } from "../report/index.js";
import { estimatedRows } from "./sources.js";
import type { MigrateConfig } from "./types.js";

/** A row handed to the ledger, with what the report needs to say about it. */
export type Admitted = Candidate & RowRef & { bucket?: number };

/** A mapped row as the run loop hands it to the ledger and the report. */
export function admittedRow(
  { row, client, now }: MappedRow,
  result: MapResult,
  run: { dryRun: boolean },
): Admitted {
  const bucket = result.kind === "payload" ? bucketOf(result, now) : undefined;
  return {
    file: row.file,
    rowNo: row.rowNo,
    line: row.line ?? row.rowNo,
    result,
    bucket,
    client,
    tag: run.dryRun ? rowTag(bucket, client) : undefined,
    key: result.key,
    detail: result.kind === "payload" ? undefined : result.detail,
  };
}

/**
 * What the report counted a dry-run row under (its lifetime bucket, its client), as an opaque tag the
 * ledger keeps beside the row and hands back for the rows later found to repeat a token.
 */
function rowTag(bucket: number | undefined, client: string | undefined): string {
  // `bucket|=client`: the bucket is a number or empty, so the first bar ends it (a JSON array cost more).
  return `${bucket ?? ""}|${client === undefined ? "" : `=${client}`}`;
}

function fromTag(tag: string): [number | null, string | null] {
  const bar = tag.indexOf("|");
  const [bucket, client] = [tag.slice(0, bar), tag.slice(bar + 1)];
  return [bucket === "" ? null : Number(bucket), client === "" ? null : client.slice(1)];
}

/** The ledger's repeated rows in the report's terms: a bucket counts only where the row counted as created. */
export function repeatedRows(found: DryRunDuplicates): RepeatedRows {
  return {
    ...found,
    counted: found.counted.map(({ state, reason, tag, n }) => {
      const [bucket, client] = tag === null ? [null, null] : fromTag(tag);
      return { state, reason, bucket: state === "created" ? bucket : null, client, n };
    }),
  };
}

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
