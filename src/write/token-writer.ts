import { setTimeout as sleep } from "node:timers/promises";
import { introspectionProcess } from "@authlete/typescript-sdk/funcs/introspectionProcess.js";
import { tokenManagementCreate } from "@authlete/typescript-sdk/funcs/tokenManagementCreate.js";
import type { WriteOutcome } from "../ledger/types.js";
import type { Payload } from "../map/types.js";
import { MigrateError } from "../shared/errors.js";
import { tokenHash } from "../shared/hash.js";
import type { AuthleteConnection } from "./authlete-client.js";
import { describeFailure, toCallFailure, type CallFailure } from "./call-failure.js";
import { lifetimesAt } from "./durations.js";
import type { ServiceHealth } from "./health.js";
import type { Pacer } from "./pacer.js";
import type { WriteDecision, WriterOptions, WriterStats } from "./types.js";

export interface TokenWriterContext {
  authlete: AuthleteConnection;
  options: WriterOptions;
  pacer: Pacer;
  health: ServiceHealth;
  stats: WriterStats;
  /** Set on the first fatal condition; every writer stops at its next step. */
  abort(error: MigrateError): void;
  aborted(): boolean;
}

type Probe = "absent" | "matches" | "differs" | "unknown";

/** Null when the run stopped before this token's fate was known: its entry stays pending. */
type Result = WriteOutcome | null;

function backoffMs(ctx: TokenWriterContext, attempt: number, failure?: CallFailure): number {
  const { backoffBaseMs, backoffCapMs, random = Math.random } = ctx.options;
  const jitter = random() * Math.min(backoffCapMs, backoffBaseMs * 2 ** attempt);
  return Math.max(jitter, failure?.retryAfterMs ?? 0);
}

/** Handles a failure every call shares; returns true when the caller should retry after it. */
async function absorb(ctx: TokenWriterContext, failure: CallFailure, attempt: number): Promise<boolean> {
  if (ctx.aborted()) return false;
  if (failure.kind === "unauthorized" || (failure.kind === "forbidden" && failure.action === undefined)) {
    ctx.abort(
      new MigrateError(
        "authentication_failed",
        `Authlete refused the credentials (${describeFailure(failure)}); check AUTHLETE_BEARER and the service ID`,
        { status: failure.status, resultCode: failure.resultCode },
      ),
    );
    return false;
  }
  if (failure.kind === "rate-limited") {
    ctx.stats.rateLimited++;
    ctx.stats.pauses++;
    ctx.pacer.slowDown();
    ctx.pacer.pause(failure.retryAfterMs ?? backoffMs(ctx, attempt));
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
    await sleep(backoffMs(ctx, attempt, failure));
    return true;
  }
  return false;
}

/** Asks Authlete whether the token exists, and whether it is the one this row describes. */
async function probe(ctx: TokenWriterContext, token: string, payload: Payload | null): Promise<Probe> {
  for (let attempt = 0; attempt < ctx.options.maxAttempts; attempt++) {
    if (ctx.aborted() || !(await ctx.pacer.acquire())) return "unknown";
    ctx.stats.calls++;
    ctx.stats.introspections++;
    const result = await introspectionProcess(ctx.authlete.core, {
      serviceId: ctx.authlete.serviceId,
      introspectionRequest: { token },
    });
    if (result.ok) {
      ctx.health.success();
      ctx.pacer.speedUp();
      const r = result.value;
      if (!r.existent) return "absent";
      if (!payload) return "matches";
      const sameClient = r.clientId === payload.request.clientId;
      const sameSubject =
        payload.request.grantType === "CLIENT_CREDENTIALS" ||
        (r.subject ?? undefined) === payload.request.subject;
      return sameClient && sameSubject ? "matches" : "differs";
    }
    if (!(await absorb(ctx, toCallFailure(result.error), attempt))) return "unknown";
    ctx.stats.retries++;
  }
  return "unknown";
}

/**
 * Gets one token into Authlete exactly once. A create that may have landed (timeout, reset, 5xx, a
 * refusal) is never simply retried: the token is introspected first, and only an absent token is sent again.
 */
export async function writeToken(ctx: TokenWriterContext, decision: WriteDecision): Promise<Result> {
  const { key, payload, fallback } = decision;
  let attempts = 0;
  let maybeSent = decision.inDoubt;
  let mustProbe = decision.inDoubt;
  let lastFailure: CallFailure | undefined;
  const outcome = (o: Omit<WriteOutcome, "key" | "attempts">): WriteOutcome => ({ key, attempts, ...o });
  const probeToken = payload?.probeToken ?? fallback?.probeToken;

  for (let round = 0; ; round++) {
    if (ctx.aborted()) return null;
    if (mustProbe) {
      if (!probeToken)
        return fallback
          ? outcome({ state: fallback.kind, reason: fallback.reason, detail: fallback.detail })
          : null;
      const found = await probe(ctx, probeToken, payload);
      if (found === "unknown") {
        return ctx.aborted()
          ? null
          : outcome({
              state: "failed",
              reason: "authlete_unavailable",
              detail: "could not find out whether an earlier create landed",
            });
      }
      if (found === "matches" && maybeSent) {
        const sentHash = tokenHash(probeToken);
        return outcome({ state: "created", reason: null, detail: "confirmed by introspection", sentHash });
      }
      if (found !== "absent") {
        return outcome({
          state: "rejected",
          reason: "exists_in_authlete",
          detail:
            found === "differs"
              ? "Authlete holds this token for another client or subject"
              : "Authlete already holds this token",
        });
      }
      if (lastFailure?.kind === "rejected" || lastFailure?.kind === "forbidden") {
        return outcome({
          state: "rejected",
          reason: "authlete_rejected",
          detail: describeFailure(lastFailure),
          resultCode: lastFailure.resultCode,
        });
      }
      mustProbe = false;
    }
    if (!payload)
      return fallback
        ? outcome({ state: fallback.kind, reason: fallback.reason, detail: fallback.detail })
        : null;
    if (attempts >= ctx.options.maxAttempts) {
      return outcome({
        state: "failed",
        reason: "authlete_unavailable",
        detail: lastFailure ? describeFailure(lastFailure) : "no attempt left",
        resultCode: lastFailure?.resultCode,
      });
    }
    if (!(await ctx.pacer.acquire())) return null;
    const lifetimes = lifetimesAt(payload, ctx.options.clock());
    if (lifetimes === "expired")
      return outcome({ state: "skipped", reason: "expired", detail: "expired while waiting to be sent" });
    const { dropRefreshToken, ...durations } = lifetimes;
    const { refreshToken, ...request } = payload.request;
    attempts++;
    ctx.stats.calls++;
    ctx.stats.creates++;
    const result = await tokenManagementCreate(ctx.authlete.core, {
      serviceId: ctx.authlete.serviceId,
      tokenCreateRequest: {
        ...request,
        ...(dropRefreshToken || refreshToken === undefined ? {} : { refreshToken }),
        ...durations,
      },
    });
    if (result.ok && result.value.action === "OK") {
      ctx.health.success();
      ctx.pacer.speedUp();
      return outcome({
        state: "created",
        reason: null,
        resultCode: result.value.resultCode,
        expiresAt: result.value.expiresAt,
        sentHash: tokenHash(payload.probeToken),
      });
    }
    const failure: CallFailure = result.ok
      ? {
          kind: "rejected",
          status: 200,
          resultCode: result.value.resultCode,
          resultMessage: result.value.resultMessage,
          action: result.value.action,
        }
      : toCallFailure(result.error);
    lastFailure = failure;
    if (failure.kind === "rejected" || (failure.kind === "forbidden" && failure.action !== undefined)) {
      // A refusal may be the duplicate answer to a create that landed earlier: look before deciding.
      mustProbe = true;
      continue;
    }
    const inDoubt = failure.kind !== "rate-limited" && failure.kind !== "unauthorized";
    if (!(await absorb(ctx, failure, round)))
      return ctx.aborted()
        ? null
        : outcome({ state: "failed", reason: "authlete_unavailable", detail: describeFailure(failure) });
    ctx.stats.retries++;
    if (inDoubt) {
      maybeSent = true;
      mustProbe = true;
    }
  }
}
