import PQueue from "p-queue";
import type { DryRunSink, Ledger } from "../ledger/index.js";
import type { RejectsFile, Tally } from "../report/index.js";
import type { MappedRow } from "../rows/index.js";
import type { ServiceRowRules } from "../preflight/index.js";
import {
  admit,
  carryOut,
  knownFate,
  revokeMigrated,
  rowCheck,
  type Admission,
  type Fate,
  type SettleContext,
} from "../settle/index.js";
import type { WriteOutcome, WriterHandle } from "../write/index.js";
import { countFate } from "./count.js";
import { syncDeletions } from "./deletions.js";
import { RunProgress } from "./run-progress.js";
import { openSink } from "./sink.js";
import type { MigrateConfig } from "./types.js";

const outcomeFlushSize = 200;
/** The most rows a batch grows to while nothing is sent (never fewer than the configured batch size). */
const settledBatchRows = 1000;

/** What one run loop works with. */
export interface RunLoopSetup {
  config: MigrateConfig;
  ledger: Ledger;
  runId: number;
  tally: Tally;
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

/**
 * One run: rows read a batch at a time, each settled (`settle/`), the tally fed from their fates. Tokens
 * for Authlete wait in a queue; reading pauses while `maxInFlight` are queued or being worked.
 */
export class RunLoop {
  private readonly queue: PQueue;
  /** Tokens that may wait for the writer before reading pauses. */
  private readonly waiting: number;
  private readonly progress: RunProgress;
  private readonly context: SettleContext;
  private readonly dry?: DryRunSink;
  private readonly tally: Tally;
  private outcomes: WriteOutcome[] = [];
  private failure: unknown;
  /** Settles once the run stops (a signal, a fatal error): no wait for the queue outlasts it. */
  private readonly stopped: Promise<void>;
  private wake!: () => void;

  constructor(private readonly setup: RunLoopSetup) {
    const { config, ledger, runId, writer } = setup;
    this.tally = setup.tally;
    this.progress = new RunProgress(setup);
    // The writer works at most `concurrency` tokens at once; the rest of the `maxInFlight` wait here.
    const working = Math.min(config.writer.concurrency, config.maxInFlight);
    this.queue = new PQueue({ concurrency: working });
    this.waiting = Math.max(1, config.maxInFlight - working);
    const { sink, dry } = openSink(setup);
    this.dry = dry;
    this.context = {
      sink,
      writer,
      ledger,
      runId,
      check: rowCheck(config.mapping, setup.serviceRules),
      record: (outcome) => this.outcomes.push(outcome),
      stopping: () => this.stopping,
    };
    this.stopped = new Promise((resolve) => (this.wake = resolve));
    config.stop?.addEventListener("abort", () => this.wake(), { once: true });
  }

  private get stopping(): boolean {
    const { config, writer } = this.setup;
    return Boolean(config.stop?.aborted || writer?.fatal || this.failure !== undefined);
  }

  /** A fatal error off the loop (a timer's flush, a queued call): sending stops and execute() throws it. */
  private fail(error: unknown): void {
    this.failure ??= error;
    this.setup.writer?.stop();
    this.wake();
  }

  async execute(batches: AsyncIterable<readonly MappedRow[]>): Promise<void> {
    const { config, tally, writer } = this.setup;
    const flushTimer = setInterval(() => {
      try {
        this.flushOutcomes();
      } catch (error) {
        this.fail(error);
      }
    }, 250);
    try {
      let batch: MappedRow[] = [];
      let size = config.batchSize;
      reading: for await (const read of batches)
        for (const mapped of read) {
          if (this.stopping) break reading;
          tally.read();
          batch.push(mapped);
          if (batch.length < size) continue;
          // A batch that sent nothing needed no durable pending entries before its calls: the next may be
          // larger (fewer transactions over a rerun's settled rows), until one sends again.
          const sent = await this.settleBatch(batch);
          size = sent ? config.batchSize : Math.max(config.batchSize, Math.min(settledBatchRows, size * 2));
          batch = [];
        }
      if (!this.stopping) await this.settleBatch(batch);
      // Rows read but not admitted when a stop came were never sent: they stay unrecorded and are read again.
      else tally.rows -= batch.length;
      const rejects = this.setup.rejects;
      if (this.dry)
        tally.reclassifyDuplicates(this.dry.duplicates(rejects && ((r) => rejects.add(r, r.reason))));
      if (config.syncDeletions && !this.stopping)
        await syncDeletions({
          ...this.setup,
          createdBefore: this.setup.createdBefore ?? 0,
          dry: this.dry,
          revoke:
            writer &&
            ((token) =>
              this.enqueue(() => revokeMigrated({ ...this.context, writer }, token, "deleted_in_source"))),
        });
      await this.drain();
      if (this.failure !== undefined) throw this.failure;
    } finally {
      clearInterval(flushTimer);
      this.flushOutcomes();
      this.progress.report(true);
    }
  }

  /**
   * Admits a batch in one transaction; each token's fate is counted now, or once Authlete has answered.
   * True when a row of it went to Authlete.
   */
  private async settleBatch(rows: readonly MappedRow[]): Promise<boolean> {
    if (rows.length === 0) return false;
    let sent = false;
    for (const admission of await admit(rows, this.context)) {
      const known = knownFate(admission, this.context);
      if (known) this.count(known, admission);
      else {
        sent = true;
        await this.enqueue(() => carryOut(admission, this.context), admission);
      }
    }
    this.flushOutcomes(outcomeFlushSize);
    this.progress.report(false);
    return sent;
  }

  /** Queues a call to Authlete, counts its fate, and waits while the queue is full (or until a stop). */
  private async enqueue(job: () => Promise<Fate>, admission?: Admission): Promise<void> {
    this.queue
      .add(async () => this.count(await job(), admission))
      .catch((error: unknown) => this.fail(error));
    if (this.queue.size >= this.waiting && !this.stopping)
      await Promise.race([this.queue.onSizeLessThan(this.waiting), this.stopped]);
  }

  /** Counts a token's fate (count.ts); an answer from Authlete is progress worth reporting. */
  private count(fate: Fate, admission?: Admission): void {
    countFate(this.tally, fate, admission);
    if (fate.outcome) this.progress.report(false);
  }

  /** Waits for queued calls; after a stop request, for at most the grace period. */
  private async drain(): Promise<void> {
    const { config, writer } = this.setup;
    const idle = this.queue.onIdle();
    if (!config.stop?.aborted) {
      await Promise.race([idle, this.stopped]);
      if (!config.stop?.aborted) return idle;
    }
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, config.graceMs)));
    await Promise.race([idle, grace]);
    clearTimeout(timer);
    writer?.stop();
    await idle;
  }

  private flushOutcomes(atLeast = 1): void {
    if (this.outcomes.length < atLeast) return;
    const outcomes = this.outcomes;
    this.outcomes = [];
    this.setup.ledger.recordOutcomes(this.setup.runId, outcomes);
  }
}
