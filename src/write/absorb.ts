import { setTimeout as sleep } from "node:timers/promises";
import { backoffMs } from "../shared/backoff.js";
import { MigrateError } from "../shared/errors.js";
import { describeFailure, type CallFailure } from "./call-failure.js";
import type { CallResult } from "./token-calls.js";
import type { TokenWriterContext } from "./context.js";

/** Full-jitter exponential backoff, never shorter than the server's Retry-After. */
function writerBackoffMs(ctx: TokenWriterContext, attempt: number, failure?: CallFailure): number {
  const { backoffBaseMs: baseMs, backoffCapMs: capMs, random = Math.random } = ctx.options;
  return backoffMs(attempt, { baseMs, capMs, random }, failure?.retryAfterMs);
}

/** The run-level error for a bearer Authlete refuses. */
export function credentialsRefused(failure: CallFailure): MigrateError {
  return new MigrateError(
    "authentication_failed",
    `Authlete refused the credentials (${describeFailure(failure)}); check AUTHLETE_BEARER and the service ID`,
    { status: failure.status, resultCode: failure.resultCode },
  );
}

/**
 * Handles a failure every call shares; returns true when the caller should retry after it. A 401, or a
 * 403 without an action, on a call that is not a create (whose 403 may concern its row alone) means the
 * bearer itself is refused: the run stops.
 */
export async function absorb(
  ctx: TokenWriterContext,
  failure: CallFailure,
  attempt: number,
): Promise<boolean> {
  if (ctx.aborted()) return false;
  if (failure.kind === "unauthorized" || (failure.kind === "forbidden" && failure.action === undefined)) {
    ctx.abort(credentialsRefused(failure));
    return false;
  }
  if (failure.kind === "rate-limited") {
    ctx.stats.rateLimited++;
    ctx.stats.pauses++;
    ctx.pacer.slowDown();
    ctx.pacer.pause(failure.retryAfterMs ?? writerBackoffMs(ctx, attempt));
    return true;
  }
  if (
    failure.kind === "server" ||
    failure.kind === "network" ||
    failure.kind === "timeout" ||
    failure.kind === "invalid-response"
  ) {
    const fatal = ctx.health.failure(describeFailure(failure));
    if (fatal) {
      ctx.abort(fatal);
      return false;
    }
    await sleep(writerBackoffMs(ctx, attempt, failure));
    return true;
  }
  return false;
}

/** The outcome of a call retried through `absorb`: its value, the failure that ended it, or null when the run stopped. */
export type Retried<T> = CallResult<T> | null;

/** A paced call, retried on rate limits and transient failures up to the writer's attempt limit. */
export async function retried<T>(
  ctx: TokenWriterContext,
  call: () => Promise<CallResult<T>>,
): Promise<Retried<T>> {
  let failure: CallFailure = { kind: "network" };
  for (let attempt = 0; attempt < ctx.options.maxAttempts; attempt++) {
    if (ctx.aborted() || !(await ctx.pacer.acquire())) return null;
    ctx.stats.calls++;
    const result = await call();
    if (result.ok) {
      ctx.health.success();
      return result;
    }
    failure = result.failure;
    if (!(await absorb(ctx, failure, attempt))) return ctx.aborted() ? null : { ok: false, failure };
    ctx.stats.retries++;
  }
  return { ok: false, failure };
}
