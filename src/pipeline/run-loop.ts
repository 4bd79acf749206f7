import type { Decision, DryRunSink, Ledger, OutcomeRecord, RowSink } from "../ledger/index.js";
import type { ReadOptions } from "../read/index.js";
import { mappedRows } from "./mapped-rows.js";
import type { Tally } from "../report/index.js";
import { admittedRow, openSink, repeatedRows, type Admitted } from "./admitted-row.js";
import type { RejectsFile } from "../report/index.js";
import type { WriteDecision, WriterHandle } from "../write/index.js";
import { jwtVerifier } from "./jwt-verify.js";
import { RunProgress } from "./run-progress.js";
import { endMigratedOne, revokeMigrated, type RevocationReason, type RevokedToken } from "./revocation.js";
import type { MigrateConfig } from "./types.js";
import { syncDeletions } from "./deletions.js";
import type { ServiceRowRules } from "./service-check.js";
import { serviceVerdict, serviceVerdicts, type ServiceVerdicts } from "./service-verdict.js";

const outcomeFlushSize = 200;

/** What one run loop works with. */
export interface RunLoopSetup {
  config: MigrateConfig;
  ledger: Ledger;
  runId: number;
  tally: Tally;
  /** The planning clock: the host's clock moved by the given offset (the ms `--now` sets it ahead or back). */
  planning: { offsetMs: number };
  writer: WriterHandle | undefined;
  /** Rows the sources hold, when a pre-scan counted them. */
  total: number | undefined;
  startedAt: number;
  afterCutover: boolean;
  /** Where a dry run writes its rejected rows once repeated tokens are known. */
  rejects?: RejectsFile;
  /** What the service check shows Authlete would refuse row by row. */
  serviceRules?: ServiceRowRules;
  /** With --sync-deletions: the tokens the ledger held as created when the run began (sizes the cap). */
  createdBefore?: number;
}

/** The read → map → admit → write loop of one run, with backpressure and batched ledger writes. */
export class RunLoop {
  private batch: Admitted[] = [];
  private outcomes: OutcomeRecord[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly progress: RunProgress;
  private readonly verifyJwt: ReturnType<typeof jwtVerifier>;
  /** What the service would refuse row by row, as sets. */
  private readonly verdicts: ServiceVerdicts | undefined;
  /** Where the rows go: the entry store, or a dry run's list. */
  private readonly sink: RowSink;
  private readonly dry?: DryRunSink;

  private readonly config: MigrateConfig;
  private readonly ledger: Ledger;
  private readonly runId: number;
  private readonly tally: Tally;
  /** Absent in a dry run. */
  private readonly writer: WriterHandle | undefined;
  private readonly setup: RunLoopSetup;
  private failure: unknown;
  /** Wakes the loop waiting for a free slot. */
  private slotFreed: (() => void) | undefined;

  constructor(setup: RunLoopSetup) {
    ({
      config: this.config,
      ledger: this.ledger,
      runId: this.runId,
      tally: this.tally,
      writer: this.writer,
    } = setup);
    const { config } = setup;
    this.setup = setup;
    this.progress = new RunProgress(setup);
    this.verifyJwt = jwtVerifier(config.mapping);
    ({ sink: this.sink, dry: this.dry } = openSink(setup));
    this.verdicts = serviceVerdicts(setup.serviceRules);
    // A stop wakes the loop waiting for a free slot, so no wait outlasts it.
    config.stop?.addEventListener("abort", () => this.slotFreed?.(), { once: true });
  }

  private get stopping(): boolean {
    return Boolean(this.config.stop?.aborted || this.writer?.fatal || this.failure !== undefined);
  }

  /** A fatal error off the loop (a timer's flush, an in-flight job): sending stops and execute() throws it. */
  private fail(error: unknown): void {
    this.failure ??= error;
    this.writer?.stop();
  }

  async execute(readOptions: ReadOptions): Promise<void> {
    const flushTimer = setInterval(() => {
      try {
        this.flushOutcomes();
      } catch (error) {
        this.fail(error);
      }
    }, 250);
    try {
      const source = {
        files: this.config.files,
        read: readOptions,
        mapping: this.config.mapping,
        now: this.setup.planning,
        readingThread: true,
      };
      for await (const mapped of mappedRows(source)) {
        if (this.stopping) break;
        this.tally.read();
        const verified = this.verifyJwt ? await this.verifyJwt(mapped.result, mapped.now) : mapped.result;
        const result = serviceVerdict(verified, this.verdicts);
        this.tally.mapped(result, mapped.result);
        this.batch.push(admittedRow(mapped, result, this.config));
        if (this.batch.length >= this.config.batchSize) await this.admitBatch();
      }
      if (!this.stopping) await this.admitBatch();
      const rejects = this.setup.rejects;
      if (this.config.dryRun)
        this.tally.reclassifyDuplicates(
          repeatedRows(this.dry!.duplicates(rejects && ((r) => rejects.add(r, r.reason)))),
        );
      if (this.config.syncDeletions && !this.stopping)
        await syncDeletions({
          ...this.setup,
          createdBefore: this.setup.createdBefore ?? 0,
          dry: this.dry,
          revoke:
            this.writer && ((token) => this.track(this.revoke(this.writer!, token, "deleted_in_source"))),
        });
      // Rows read but not admitted when a stop came were never sent: they stay unrecorded and are read again.
      this.tally.rows -= this.batch.length;
      await this.drain();
      if (this.failure !== undefined) throw this.failure;
    } finally {
      clearInterval(flushTimer);
      this.flushOutcomes();
      this.progress.report(true);
    }
  }

  private async admitBatch(): Promise<void> {
    const batch = this.batch;
    this.batch = [];
    if (batch.length === 0) return;
    const decisions = this.sink.admit(batch);
    for (const [i, decision] of decisions.entries()) {
      // After a stop, admitted tokens are not sent: they stay pending and the next run resolves them.
      const at = batch[i]!;
      if (this.stopping && decision.action === "write") this.tally.settle("pending", "interrupted", at);
      else await this.handle(decision, at);
    }
    this.flushOutcomes(outcomeFlushSize);
    this.progress.report(false);
  }

  private async handle(decision: Decision, at: Admitted): Promise<void> {
    if (decision.action === "settled") {
      if (decision.state === "rejected" && at.result.kind === "payload") this.tally.retryable++;
      return this.tally.settle(decision.state, decision.reason, {
        ...at,
        // The map's detail belongs to the map's reason, not to one an earlier run recorded.
        detail:
          at.result.kind !== "payload" && at.result.reason === decision.reason
            ? at.detail
            : "recorded by an earlier run",
      });
    }
    if (decision.action === "revoke") {
      if (!this.writer) return this.tally.settle("skipped", "revoked_since_migration", at);
      const { key, identifier, refreshHash } = decision;
      return this.track(
        this.revoke(this.writer, { key, identifier, refreshHash }, "revoked_since_migration", at),
      );
    }
    if (decision.action === "end_refresh" || decision.action === "end_access") {
      const part = decision.action === "end_refresh" ? "refresh" : "access";
      if (!this.writer) return this.tally.settle("skipped", `${part}_ended_since_migration`, at);
      const run = { writer: this.writer, ledger: this.ledger, runId: this.runId, tally: this.tally };
      return this.track(endMigratedOne(run, part, decision, at));
    }
    if (at.bucket !== undefined && decision.payload) this.tally.lifetime(at.bucket);
    if (decision.payload?.notCarried) this.tally.notCarriedRow(decision.payload.notCarried, at);
    if (!this.writer)
      return this.tally.settle(
        decision.payload ? "created" : (decision.fallback?.kind ?? "skipped"),
        decision.payload ? null : (decision.fallback?.reason ?? null),
        at,
      );
    return this.track(this.dispatch(this.writer, decision, at));
  }

  /** Counts a job in flight, and waits while too many are (one waiter, woken by a freed slot or a stop). */
  private async track(job: Promise<void>): Promise<void> {
    const tracked = job
      .catch((error: unknown) => this.fail(error))
      .finally(() => {
        this.inFlight.delete(tracked);
        this.slotFreed?.();
      });
    this.inFlight.add(tracked);
    while (this.inFlight.size >= this.config.maxInFlight && !this.stopping) {
      await new Promise<void>((resolve) => (this.slotFreed = resolve));
      this.slotFreed = undefined;
    }
  }

  /** Revokes a token this ledger created that the source has revoked (or dropped) since. */
  private revoke(writer: WriterHandle, token: RevokedToken, reason: RevocationReason, at?: Admitted) {
    const run = { writer, ledger: this.ledger, runId: this.runId, tally: this.tally };
    return revokeMigrated(run, token, reason, at);
  }

  private async dispatch(writer: WriterHandle, decision: WriteDecision, at: Admitted): Promise<void> {
    const outcome = await writer.write(decision);
    if (outcome === null) return this.tally.settle("pending", "interrupted", at);
    this.outcomes.push(outcome);
    this.tally.settle(outcome.state, outcome.reason, { ...at, detail: outcome.detail });
    this.progress.report(false);
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
}
