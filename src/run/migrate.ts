import { withLedger, withRun, type CutoverRecord, type Ledger } from "../ledger/index.js";
import { MigrateError } from "../shared/errors.js";
import { join } from "node:path";
import {
  prepareReportDir,
  RejectsFile,
  staleSource,
  summarise,
  Tally,
  writeReportFiles,
  type RunSummary,
} from "../report/index.js";
import type { WriterHandle } from "../write/index.js";
import {
  blocksLiveRun,
  connectService,
  prescan,
  unknownUsage,
  type ServiceSide,
  type ServiceUsage,
} from "../preflight/index.js";
import {
  checkHeader,
  describeSources,
  mappedBatches,
  readingAhead,
  withValidKeyIds,
  type RowsReading,
} from "../rows/index.js";
import { RunLoop } from "./run-loop.js";
import { settleThenConnect } from "./settle-early.js";
import { RunProgress } from "./run-progress.js";
import { readOnce } from "../read/index.js";
import { unprovablePipe } from "./deletions.js";
import type { MigrateConfig } from "./types.js";

function openRejects(dir: string): RejectsFile {
  prepareReportDir(dir);
  return new RejectsFile(join(dir, "rejects.csv"));
}

/** Runs one migration (or dry run) over the sources and returns its summary. */
export async function migrate(given: MigrateConfig): Promise<RunSummary> {
  const startedAt = performance.now();
  // Before the ledger opens: an issuer that refuses the assertion stops the run with nothing recorded.
  const config = { ...given, mapping: await withValidKeyIds(given.mapping) };
  const planningOffset = config.now === undefined ? 0 : config.now - Date.now();
  const clock = () => Date.now() + planningOffset;
  const base = {
    ...config.read,
    onHeader: checkHeader(config.mapping),
    announceKeys: config.mapping.ignore !== undefined,
  };
  // The run's reading ends at a stop signal (what was read and not admitted is read again next time).
  const readOptions = { ...base, end: config.stop };
  // The whole-file passes before the run (service check, pre-scan) end at a stop signal too.
  const passOptions = { ...base, stop: config.stop };
  const startClock = clock();
  return withLedger(config.ledgerFile, async (ledger) => {
    let writer: WriterHandle | undefined;
    let rows: RowsReading | undefined;
    let rejects: RejectsFile | undefined;
    try {
      // A completed run over the same unchanged sources with the same mapping already scanned them.
      const sources = describeSources(config.files);
      const piped = config.files.some(readOnce);
      const before = piped
        ? unknownUsage()
        : (ledger.summaryReadBefore(sources, config.mappingHash)?.serviceUsage as ServiceUsage | undefined);
      refuseSilentCatchUp(config, ledger, sources);
      const pipe = config.syncDeletions ? unprovablePipe(config) : undefined;
      if (pipe) throw new MigrateError("usage", pipe, { option: "sync-deletions" });
      const source = {
        files: config.files,
        read: readOptions,
        mapping: config.mapping,
        now: { offsetMs: planningOffset },
      };
      // The mapping needs nothing from the service: the reading thread starts while the SDK loads and the
      // service is read. Not from a pipe, which the service check may be the first to read.
      rows = piped ? undefined : readingAhead(source);
      const tally = new Tally();
      // Before the run is registered: a report path that cannot be written stops it with nothing recorded.
      const listed = (rejects = config.reportDir ? openRejects(config.reportDir) : undefined);
      // A dry run finds repeated tokens only at the end: its rejects.csv is written then, without them.
      if (listed && !config.dryRun) tally.onRejected = (at, reason) => listed.add(at, reason);
      const readBefore = piped ? undefined : ledger.rowsReadBefore(sources);
      const connect = () => connectService(config, passOptions, clock, before);
      // A live run first counts the rows its ledger settled for good (not with --sync-deletions, whose
      // admission marks every created token it sees, in the run): while the service is read, or before it
      // is when a completed run read these sources with this mapping (a rerun, likely with nothing to send).
      const early =
        rows && !config.dryRun && !config.syncDeletions
          ? await settleThenConnect(
              rows,
              {
                ledger,
                tally,
                stop: config.stop,
                retryRejected: config.retryRejected,
                progress: new RunProgress({ config, tally, writer: undefined, total: readBefore, startedAt }),
              },
              { connect, lazily: before !== undefined && config.checkService !== true },
            )
          : undefined;
      const service: ServiceSide = early ? (early.service ?? {}) : await connect();
      writer = service.writer;
      // Files a completed run of this ledger already read to the end, unchanged since, need no second
      // look; the service check has just read them all.
      const total =
        config.dryRun || piped
          ? undefined
          : (readBefore ?? service.check?.rows ?? (await prescan(config.files, passOptions)));
      const start = {
        dryRun: config.dryRun,
        arguments: config.arguments,
        sources,
        mappingHash: config.mappingHash,
      };
      const summary = await withRun(ledger, start, async (runId) => {
        const cutover = ledger.cutover();
        const loop = {
          config,
          ledger,
          runId,
          tally,
          writer,
          total,
          startedAt,
          afterCutover: !!cutover,
          rejects,
          serviceRules: service.check?.rowRules,
          createdBefore: config.syncDeletions ? ledger.createdCount() : undefined,
        };
        try {
          await new RunLoop(loop).execute(early?.batches ?? rows ?? mappedBatches(source));
        } catch (error) {
          // A fatal error mid-run (a source that breaks, a key set that cannot be fetched, a full disk):
          // in-flight work stops, and the run is recorded as aborted rather than left running.
          writer?.stop();
          throw error;
        }
        const status = writer?.fatal ? "aborted" : config.stop?.aborted ? "interrupted" : "completed";
        const run = { runId, status, startedAt, startClock, sources, cutover } as const;
        const summary = runSummary(config, tally, run, service, writer);
        if (early && !early.service && status === "completed") {
          summary.serviceNotRead = notRead;
          // What the sources ask of the service is as the earlier run scanned it (same sources, same
          // mapping): kept, so a later run that reads the service does not scan them again.
          if (before) summary.serviceUsage = before;
        }
        return { status, summary };
      });
      rejects?.close();
      if (config.reportDir) writeReportFiles(config.reportDir, summary);
      return summary;
    } finally {
      // Closed here too when the run fails: what it holds so far stays, the descriptor does not.
      rejects?.close();
      // Rows read ahead for a run that never started: the reading thread ends here.
      await rows?.return();
      await writer?.close();
    }
  });
}

const notRead =
  "every row was already settled by an earlier run of this ledger: nothing was left to send, so the service was not read (its check, and Authlete's clock, are in that run's report)";

/** What a run did, as the report and the run log keep it. */
function runSummary(
  config: MigrateConfig,
  tally: Tally,
  run: {
    runId: number;
    status: "aborted" | "interrupted" | "completed";
    startedAt: number;
    startClock: number;
    sources: ReturnType<typeof describeSources>;
    cutover: CutoverRecord | undefined;
  },
  service: ServiceSide,
  writer: WriterHandle | undefined,
): RunSummary {
  const { runId, status, startedAt, cutover } = run;
  const summary = summarise(
    tally,
    {
      runId,
      dryRun: config.dryRun,
      status,
      startedAt,
      rate: config.writer.rate,
      stores: config.mapping.unrecoverable?.stores,
    },
    writer?.stats,
  );
  if (writer?.fatal) summary.error = { code: writer.fatal.code, message: writer.fatal.message };
  else if (summary.deletions?.refused)
    summary.error = { code: "deletions_refused", message: summary.deletions.refused };
  if (config.now === undefined) summary.staleSource = staleSource(tally, Date.now());
  if (service.check) {
    summary.serviceFindings = service.check.findings.map((f) => ({
      ...f,
      blocking: blocksLiveRun(f, config.checkService === true),
    }));
    summary.serviceUsage = service.check.usage;
    summary.scopeCoverage = {
      used: [...service.check.usage.scopes].sort(),
      unsupported: [...service.check.rowRules.unsupportedScopes].sort(),
    };
  }
  if (service.authleteClock && !config.dryRun) summary.authleteClock = service.authleteClock.offset;
  if (cutover) summary.cutover = cutover;
  summary.inputs = {
    sources: run.sources,
    mappingHash: config.mappingHash,
    clock: { startedAt: new Date(run.startClock).toISOString(), given: config.now !== undefined },
  };
  const legacy = legacyClientsOf(config.mapping);
  if (legacy) summary.legacyClients = legacy;
  return summary;
}

/**
 * A source that revokes by deleting rows (django-oauth-toolkit) leaves no revoked flag in a newer export:
 * a catch-up run over it without --sync-deletions would leave every token revoked since live in Authlete.
 */
function refuseSilentCatchUp(
  config: MigrateConfig,
  ledger: Ledger,
  sources: ReturnType<typeof describeSources>,
): void {
  if (!config.mapping.revokesByDeleting || config.syncDeletions !== undefined) return;
  // A resume over the very sources every created token came from has nothing to sync.
  if (!ledger.hasCreated() || ledger.createdOnlyFrom(sources)) return;
  throw new MigrateError(
    "usage",
    "this source revokes tokens by deleting their rows, and this ledger already created tokens: pass --sync-deletions with a complete export so tokens revoked since are revoked in Authlete too, or --no-sync-deletions to leave them live",
    { option: "sync-deletions" },
  );
}

/** The client map turned round: Authlete client ID → the legacy IDs sent to it, for the report. */
function legacyClientsOf(mapping: MigrateConfig["mapping"]): Record<string, string[]> | undefined {
  if (!mapping.clients) return undefined;
  const byTarget: Record<string, string[]> = {};
  for (const [legacy, target] of mapping.clients) (byTarget[target.clientId] ??= []).push(legacy);
  return byTarget;
}
