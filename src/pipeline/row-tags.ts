import type { DryRunDuplicates } from "../ledger/index.js";
import type { RepeatedRows } from "../report/index.js";

/**
 * What the report counted a dry-run row under (its lifetime bucket, its client), as an opaque tag the
 * ledger keeps beside the row and hands back for the rows later found to repeat a token.
 */
export function rowTag(bucket: number | undefined, client: string | undefined): string {
  return JSON.stringify([bucket ?? null, client ?? null]);
}

/** The ledger's repeated rows in the report's terms: a bucket counts only where the row counted as created. */
export function repeatedRows(found: DryRunDuplicates): RepeatedRows {
  return {
    ...found,
    counted: found.counted.map(({ state, reason, tag, n }) => {
      const [bucket, client] =
        tag === null ? [null, null] : (JSON.parse(tag) as [number | null, string | null]);
      return { state, reason, bucket: state === "created" ? bucket : null, client, n };
    }),
  };
}
