import type { DryRunSink, GoneToken, Ledger } from "../ledger/index.js";
import { detectFormat, lastContentByte, postgresqlSource, readOnce } from "../read/index.js";
import type { DeletionsSummary, Tally } from "../report/index.js";
import { printable } from "../shared/text.js";
import type { RevokedToken } from "../settle/index.js";
import type { MigrateConfig } from "./types.js";

/**
 * The default cap on what one --sync-deletions run revokes: a tenth of the tokens the ledger held as
 * created when the run began, and never fewer than this floor (a small ledger's catch-up). A revocation
 * as deleted cannot be undone at Authlete by anything but the next complete export, so a run that finds
 * more gone than that stops before the first and asks.
 */
export const revocationShare = 0.1;
export const revocationFloor = 10;

/** What the run read, as the proof of completeness needs it. */
export interface ReadCounts {
  rows: number;
  malformed: number;
}

/** The most tokens this run may revoke as deleted. */
export function revocationCap(config: Pick<MigrateConfig, "maxRevocations">, createdBefore: number): number {
  return config.maxRevocations ?? Math.max(revocationFloor, Math.ceil(createdBefore * revocationShare));
}

/**
 * Why standard input cannot serve --sync-deletions as given, or undefined: a pipe cut short (zcat of a
 * truncated file, a dropped connection) ends like a complete one. A run checks this before it starts.
 */
export function unprovablePipe(config: Pick<MigrateConfig, "files" | "expectRows">): string | undefined {
  if (config.expectRows !== undefined) return undefined;
  if (!config.files.some((file) => readOnce(file) && file !== postgresqlSource)) return undefined;
  return "--sync-deletions over standard input: a pipe cut short ends like a complete one, and every token after the cut would be revoked; pass --expect-rows N with the export's row count, or read a file";
}

/**
 * Why the sources this run read cannot prove they are complete, or undefined when they do: a deletion
 * is inferred from a row's absence, so a pipe cut short, a row that could not be read or a file cut
 * mid-row would revoke live tokens.
 */
export async function unprovenSource(
  config: Pick<MigrateConfig, "files" | "expectRows" | "read">,
  read: ReadCounts,
): Promise<string | undefined> {
  if (config.expectRows !== undefined && read.rows !== config.expectRows)
    return `the sources held ${read.rows} rows, not the ${config.expectRows} that --expect-rows states`;
  const pipe = unprovablePipe(config);
  if (pipe) return pipe;
  if (read.malformed > 0)
    return `${read.malformed} row(s) could not be read (malformed_row): a token they hold would look deleted`;
  for (const file of config.files) {
    if (readOnce(file) || detectFormat(file, config.read.format) === "json") continue;
    const last = await lastContentByte(file, config.read.maxGzipRatio).catch(() => "unreadable" as const);
    const name = printable(file, 200);
    if (last === "unreadable") return `${name} cannot be read to its end again`;
    if (last !== null && last !== 0x0a && last !== 0x0d)
      return `${name} does not end with a line ending: it was cut short, or its last row may have been`;
  }
  return undefined;
}

/**
 * What --sync-deletions does with the tokens found gone: all of them, or none with the reason. The
 * dry run and the live run both come here, with the same list in the same order.
 */
export async function planDeletions(
  config: Pick<MigrateConfig, "files" | "expectRows" | "read" | "maxRevocations">,
  createdBefore: number,
  read: ReadCounts,
  gone: readonly GoneToken[],
): Promise<{ summary: DeletionsSummary; revoke: readonly GoneToken[] }> {
  const cap = revocationCap(config, createdBefore);
  const first = gone
    .slice(0, 5)
    .map((g) => ({ file: g.file, line: g.line, token: `sha256:${g.tokenHash.slice(0, 8)}` }));
  const summary: DeletionsSummary = { planned: gone.length, cap, first };
  if (gone.length === 0) return { summary, revoke: gone };
  const unproven = await unprovenSource(config, read);
  const refused =
    unproven ??
    (gone.length > cap
      ? `${gone.length} tokens are gone from the sources, over the cap of ${cap} (${config.maxRevocations === undefined ? `${revocationShare * 100} % of the ${createdBefore} created before this run, at least ${revocationFloor}` : "--max-revocations"}): check that the export is complete, then pass --max-revocations ${gone.length}`
      : undefined);
  if (refused === undefined) return { summary, revoke: gone };
  return { summary: { ...summary, refused: `--sync-deletions revoked nothing: ${refused}` }, revoke: [] };
}

/** What a run hands the sync: where the gone tokens are found, what was read, and how to revoke one. */
export interface DeletionRun {
  config: MigrateConfig;
  ledger: Ledger;
  runId: number;
  tally: Tally;
  /** A dry run's sink: the plan is counted, nothing is revoked. */
  dry: DryRunSink | undefined;
  createdBefore: number;
  /** Revokes one token at Authlete and records it; absent in a dry run. */
  revoke: ((token: RevokedToken) => Promise<void>) | undefined;
}

/**
 * With --sync-deletions: revokes the tokens this ledger created that the sources no longer hold, once
 * they are proven complete and within the cap. A dry run counts the same list as skipped.
 */
export async function syncDeletions(run: DeletionRun): Promise<void> {
  const { tally } = run;
  const gone = run.dry ? run.dry.notSeen() : run.ledger.createdNotSeen(run.runId);
  const read = { rows: tally.rows, malformed: tally.reasons.malformed_row ?? 0 };
  const plan = await planDeletions(run.config, run.createdBefore, read, gone);
  tally.deletions = plan.summary;
  for (const token of plan.revoke) {
    tally.deletedInSource();
    if (!run.revoke) tally.settle("skipped", "deleted_in_source");
    else
      await run.revoke({ key: token.tokenHash, identifier: token.sentHash, refreshHash: token.refreshHash });
  }
}
