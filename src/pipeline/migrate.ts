import {
  openLedger,
  type Candidate,
  type Decision,
  type Ledger,
  type WriteOutcome,
} from "../ledger/index.js";
import { mapRow, reportedClient } from "../map/index.js";
import { readRowsForRun } from "../read/index.js";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { RejectsFile } from "../report/rejects-file.js";
import { writeReportFiles } from "../report/files.js";
import { summarise, type RunSummary } from "../report/summary.js";
import { Tally, bucketOf, type RowRef } from "../report/tally.js";
import type { WriteDecision, WriterHandle } from "../write/index.js";
import { checkHeader, describeSources, estimatedRows } from "./sources.js";
import { jwtVerifier } from "./jwt-verify.js";
import { withValidKeyIds } from "./key-ids.js";
import { prescan } from "./prescan.js";
import { checkService, type ServiceFinding } from "./service-check.js";
import { MigrateError } from "../shared/errors.js";
import type { ReadOptions } from "../read/index.js";
import type { MigrateConfig } from "./types.js";

const outcomeFlushSize = 200;

async function serviceFindings(
  config: MigrateConfig,
  read: ReadOptions,
  now: number,
): Promise<ServiceFinding[]> {
  const { connectAuthlete } = await import("../write/index.js");
  const authlete = connectAuthlete(config.connection!);
  try {
    return await checkService(authlete, config.files, config.mapping, read, now);
  } finally {
    await authlete.close();
  }
}

function openRejects(dir: string): RejectsFile {
  mkdirSync(dir, { recursive: true });
  return new RejectsFile(join(dir, "rejects.csv"));
}
const progressEveryMs = 250;
const timelineEverySeconds = 2;

/** Runs one migration (or dry run) over the sources and returns its summary. */
export async function migrate(given: MigrateConfig): Promise<RunSummary> {
  const startedAt = performance.now();
  // Before the ledger opens: an issuer that refuses the assertion stops the run with nothing recorded.
  const config = { ...given, mapping: await withValidKeyIds(given.mapping) };
  const planningOffset = config.now === undefined ? 0 : config.now - Date.now();
  const clock = () => Date.now() + planningOffset;
  const readOptions = { ...config.read, onHeader: checkHeader(config.mapping) };
  const ledger = openLedger(config.ledgerFile);
  let writer: WriterHandle | undefined;
  try {
    let total: number | undefined;
    const findings = config.checkService ? await serviceFindings(config, readOptions, clock()) : undefined;
    const blocking = findings?.filter((f) => f.severity === "error") ?? [];
    if (!config.dryRun && blocking.length > 0) {
      throw new MigrateError(
        "config_invalid",
        `the service is not ready for this dump: ${blocking.map((f) => f.detail).join("; ")}`,
      );
    }
    if (!config.dryRun) {
      // Files a completed run of this ledger already read to the end, unchanged since, need no second look.
      total =
        ledger.rowsReadBefore(describeSources(config.files)) ?? (await prescan(config.files, readOptions));
      // Loaded only for a live run: the SDK costs ~0.4 s and ~40 MB a dry run does not need.
      const { checkConnection, connectAuthlete, createWriter } = await import("../write/index.js");
      const authlete = connectAuthlete(config.connection!);
      try {
        await checkConnection(authlete);
      } catch (error) {
        await authlete.close();
        throw error;
      }
      writer = createWriter(authlete, { ...config.writer, clock });
    }
    const runId = ledger.startRun({
      dryRun: config.dryRun,
      arguments: config.arguments,
      sources: describeSources(config.files),
      mappingHash: config.mappingHash,
    });
    const tally = new Tally();
    const rejects = config.reportDir ? openRejects(config.reportDir) : undefined;
    if (rejects) tally.onRejected = (at, reason) => rejects.add(at, reason);
    const run = new RunLoop(config, ledger, runId, tally, clock, writer, total, startedAt);
    await run.execute(readOptions);
    const status = writer?.fatal ? "aborted" : config.stop?.aborted ? "interrupted" : "completed";
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
    if (findings) summary.serviceFindings = findings;
    ledger.finishRun(runId, status, summary);
    rejects?.close();
    if (config.reportDir) writeReportFiles(config.reportDir, summary);
    return summary;
  } finally {
    await writer?.close();
    ledger.close();
  }
}

/** A row handed to the ledger, with what the report needs to say about it. */
type Admitted = Candidate & RowRef;

/** The read → map → admit → write loop of one run, with backpressure and batched ledger writes. */
class RunLoop {
  private batch: Admitted[] = [];
  private outcomes: WriteOutcome[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private lastProgress = 0;
  private readonly verifyJwt: ReturnType<typeof jwtVerifier>;
  private readonly expectedRows: number;
  /** Resolves when a stop is requested, so no wait for a free slot outlasts it. */
  private readonly stopRequested: Promise<void>;

  constructor(
    private readonly config: MigrateConfig,
    private readonly ledger: Ledger,
    private readonly runId: number,
    private readonly tally: Tally,
    private readonly clock: () => number,
    private readonly writer: WriterHandle | undefined,
    private readonly total: number | undefined,
    private readonly startedAt: number,
  ) {
    this.verifyJwt = jwtVerifier(config.mapping);
    this.expectedRows = total ?? estimatedRows(config.files, config.read.format);
    this.stopRequested = new Promise((resolve) => {
      if (config.stop?.aborted) resolve();
      config.stop?.addEventListener("abort", () => resolve(), { once: true });
    });
  }

  private get stopping(): boolean {
    return Boolean(this.config.stop?.aborted || this.writer?.fatal);
  }

  async execute(readOptions: ReadOptions): Promise<void> {
    const flushTimer = setInterval(() => this.flushOutcomes(), 250);
    try {
      for await (const row of readRowsForRun(this.config.files, readOptions)) {
        if (this.stopping) break;
        this.tally.read();
        const now = this.clock();
        const mapped = mapRow(row, { mapping: this.config.mapping, now });
        const result = this.verifyJwt ? await this.verifyJwt(mapped, now) : mapped;
        if (result.kind !== "payload" && result.legacyClient !== undefined)
          this.tally.unmappedClient(result.legacyClient);
        const bucket = result.kind === "payload" ? bucketOf(result, now) : undefined;
        if (result.kind !== "payload" && result.legacyExpiry) this.tally.notRecoverable(result.legacyExpiry);
        const client =
          result.kind === "payload"
            ? String(result.request.clientId)
            : reportedClient(row.fields, this.config.mapping);
        const detail = result.kind === "payload" ? undefined : result.detail;
        this.batch.push({
          file: row.file,
          rowNo: row.rowNo,
          line: row.line ?? row.rowNo,
          result,
          bucket,
          client,
          key: result.key,
          detail,
        });
        if (this.batch.length >= this.config.batchSize) await this.admitBatch();
      }
      if (!this.stopping) await this.admitBatch();
      if (this.config.dryRun) this.tally.reclassifyDuplicates(this.ledger.dryRunDuplicates());
      await this.syncDeletions();
      // Rows read but not admitted when a stop came were never sent: they stay unrecorded and are read again.
      this.tally.rows -= this.batch.length;
      await this.drain();
    } finally {
      clearInterval(flushTimer);
      this.flushOutcomes();
      this.report(true);
    }
  }

  private async admitBatch(): Promise<void> {
    const batch = this.batch;
    this.batch = [];
    if (batch.length === 0) return;
    const decisions = this.ledger.admit(batch, {
      runId: this.runId,
      dryRun: this.config.dryRun,
      retryRejected: this.config.retryRejected,
      syncDeletions: this.config.syncDeletions,
      expectedRows: this.expectedRows,
    });
    for (const [i, decision] of decisions.entries()) {
      // After a stop, admitted tokens are not sent: they stay pending and the next run resolves them.
      const at = batch[i]!;
      if (this.stopping && decision.action === "write") this.tally.settle("pending", "interrupted", at);
      else await this.handle(decision, at);
    }
    this.flushOutcomes(outcomeFlushSize);
    this.report(false);
  }

  private async handle(decision: Decision, at: Admitted): Promise<void> {
    if (decision.action === "settled")
      return this.tally.settle(decision.state, decision.reason, {
        ...at,
        // The map's detail belongs to the map's reason, not to one an earlier run recorded.
        detail:
          at.result.kind !== "payload" && at.result.reason === decision.reason
            ? at.detail
            : "recorded by an earlier run",
      });
    if (decision.action === "revoke") {
      if (!this.writer) return this.tally.settle("skipped", "revoked_since_migration", at);
      return this.track(
        this.revoke(this.writer, decision.key, decision.identifier, "revoked_since_migration", at),
      );
    }
    if (at.bucket !== undefined && decision.payload) this.tally.lifetime(at.bucket);
    if (!this.writer)
      return this.tally.settle(
        decision.payload ? "created" : (decision.fallback?.kind ?? "skipped"),
        decision.payload ? null : (decision.fallback?.reason ?? null),
        at,
      );
    return this.track(this.dispatch(this.writer, decision, at));
  }

  /** Counts a job in flight, and waits while too many are. */
  private async track(job: Promise<void>): Promise<void> {
    this.inFlight.add(job);
    void job.finally(() => this.inFlight.delete(job));
    while (this.inFlight.size >= this.config.maxInFlight && !this.stopping) {
      await Promise.race([...this.inFlight, this.stopRequested]);
    }
  }

  /** Deletes a token this ledger created that the source has revoked (or dropped) since. */
  private async revoke(
    writer: WriterHandle,
    key: string,
    identifier: string,
    reason: "revoked_since_migration" | "deleted_in_source",
    at?: Admitted,
  ): Promise<void> {
    const result = await writer.revoke(identifier);
    if (result === null) return this.tally.settle("pending", "interrupted", at);
    if (result === "failed") return this.tally.settle("failed", "revocation_failed", at);
    this.ledger.recordRevocation(this.runId, key, reason);
    this.tally.settle("skipped", reason, at);
  }

  /** With --sync-deletions: revoke the tokens this ledger created that the complete dump no longer holds. */
  private async syncDeletions(): Promise<void> {
    if (!this.writer || !this.config.syncDeletions || this.stopping) return;
    for (const gone of this.ledger.createdNotSeen(this.runId)) {
      this.tally.deletedInSource();
      await this.track(this.revoke(this.writer, gone.tokenHash, gone.sentHash, "deleted_in_source"));
    }
  }

  private async dispatch(writer: WriterHandle, decision: WriteDecision, at: Admitted): Promise<void> {
    const outcome = await writer.write(decision);
    if (outcome === null) return this.tally.settle("pending", "interrupted", at);
    this.outcomes.push(outcome);
    this.tally.settle(outcome.state, outcome.reason, { ...at, detail: outcome.detail });
    this.report(false);
  }

  /** Waits for in-flight writes; after a stop request, for at most the grace period. */
  private async drain(): Promise<void> {
    if (this.inFlight.size === 0) return;
    const all = Promise.all(this.inFlight);
    if (!this.config.stop?.aborted) {
      await all;
      if (!this.config.stop?.aborted) return;
    }
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.config.graceMs)));
    await Promise.race([all, grace]);
    clearTimeout(timer);
    this.writer?.stop();
    await all;
  }

  private flushOutcomes(atLeast = 1): void {
    if (this.outcomes.length < atLeast) return;
    const outcomes = this.outcomes;
    this.outcomes = [];
    this.ledger.recordOutcomes(this.runId, outcomes);
  }

  private report(force: boolean): void {
    const now = performance.now();
    const last = this.tally.timeline.at(-1)?.t ?? -Infinity;
    if (this.writer && (now - this.startedAt) / 1000 - last >= timelineEverySeconds) {
      this.tally.sample((now - this.startedAt) / 1000, this.writer.stats.rateLimited);
    }
    if (!this.config.onProgress || (!force && now - this.lastProgress < progressEveryMs)) return;
    this.lastProgress = now;
    const { created, skipped, rejected, failed } = this.tally.states;
    this.config.onProgress({
      rows: this.tally.rows,
      total: this.total,
      created,
      skipped,
      rejected,
      failed,
      inFlight: this.inFlight.size,
      writer: this.writer?.stats,
      elapsedMs: now - this.startedAt,
    });
  }
}
