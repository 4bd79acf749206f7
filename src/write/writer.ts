import pLimit from "p-limit";
import type { MigrateError } from "../shared/errors.js";
import type { AuthleteConnection } from "./authlete-client.js";
import { AuthleteClock } from "./authlete-clock.js";
import { ServiceHealth } from "./health.js";
import { Pacer } from "./pacer.js";
import { endOneConfirmed, revokeConfirmed } from "./revoke.js";
import { callsInThread, type TokenCalls } from "./token-calls.js";
import { writeToken, type TokenWriterContext } from "./token-writer.js";
import type { Writer, WriterOptions, WriterStats } from "./types.js";
import { writerPool } from "./writer-pool.js";
import { threadsAfter } from "./calls-handover.js";

export interface WriterHandle extends Writer {
  /** The fatal condition that stopped the writer, if any. */
  readonly fatal: MigrateError | undefined;
}

/** A rate-limited, concurrency-capped writer of tokens into Authlete. */
export function createWriter(authlete: AuthleteConnection, options: WriterOptions): WriterHandle {
  const limit = pLimit(options.concurrency);
  const pacer = new Pacer(options.rate);
  const health = new ServiceHealth(
    pacer,
    options.breakerThreshold,
    options.giveUpAfterMs,
    options.backoffCapMs,
  );
  const stats: WriterStats = {
    calls: 0,
    creates: 0,
    introspections: 0,
    retries: 0,
    rateLimited: 0,
    pauses: 0,
    circuitOpenings: 0,
    currentRate: options.rate,
    activeMs: 0,
    expiryCorrections: 0,
    shortenedTokens: 0,
  };
  let firstStart: number | undefined;
  let fatal: MigrateError | undefined;
  let stopped = false;
  const clock = options.authleteClock ?? new AuthleteClock(options.clock);
  const threads = options.writers ?? 0;
  // With writer threads the SDK's work leaves this thread; 0 makes every call here (the pool's own baseline).
  const pool = () => writerPool(authlete, threads, clock, (error) => ctx.abort(error));
  const after = options.threadsAfterCalls;
  const calls: TokenCalls =
    threads === 0
      ? callsInThread(authlete)
      : after === undefined
        ? pool()
        : threadsAfter(callsInThread(authlete), pool, after);
  const ctx: TokenWriterContext = {
    calls,
    options,
    pacer,
    health,
    stats,
    clock,
    rules: options.rules ?? { expirationLinked: true },
    abort(error) {
      fatal ??= error;
      pacer.stop();
      calls.abandon();
    },
    aborted: () => fatal !== undefined || stopped,
  };
  return {
    write: (decision) =>
      limit(async () => {
        if (ctx.aborted()) return null;
        // The writing phase (for throughput) starts once the threads have loaded the SDK, once.
        await calls.ready();
        firstStart ??= performance.now();
        const outcome = await writeToken(ctx, decision);
        stats.activeMs = performance.now() - firstStart;
        return outcome;
      }),
    revoke: (identifier, refreshHash) =>
      limit(async () => (ctx.aborted() ? null : revokeConfirmed(ctx, identifier, refreshHash))),
    endOne: (part, accessHash, refreshHash) =>
      limit(async () => (ctx.aborted() ? null : endOneConfirmed(ctx, part, accessHash, refreshHash))),
    get inFlight() {
      return limit.activeCount;
    },
    get stats() {
      return { ...stats, currentRate: pacer.currentRate, circuitOpenings: health.openings };
    },
    get fatal() {
      return fatal;
    },
    stop() {
      stopped = true;
      pacer.stop();
      calls.abandon();
    },
    close: () => calls.close(),
  };
}
