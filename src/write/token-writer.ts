import { absorb } from "./absorb.js";
import { describeFailure, type CallFailure } from "./call-failure.js";
import type { TokenWriterContext } from "./context.js";
import { lifetimesAt } from "./durations.js";
import { probe } from "./probe.js";
import { confirmCreate, confirmFound } from "./stored-check.js";
import { tokenHash } from "../shared/hash.js";
import type { CallResult, CallValues } from "./token-calls.js";
import type { WriteDecision, WriteOutcome } from "./types.js";

export type { TokenWriterContext } from "./context.js";

/** Null when the run stopped before this token's fate was known: its entry stays pending. */
type Result = WriteOutcome | null;

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
        if (!payload)
          return outcome({
            state: "created",
            reason: null,
            detail: "confirmed by introspection",
            sentHash: tokenHash(probeToken),
          });
        const confirmed = await confirmFound(ctx, payload);
        return confirmed && outcome(confirmed);
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
      if (decision.afterCutover && maybeSent) {
        return outcome({
          state: "rejected",
          reason: "unresolved_at_cutover",
          detail:
            "an earlier run may have sent it and Authlete does not hold it now: after the cutover it is never sent again",
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
    // Until Authlete's clock is measured, one create at a time (see AuthleteClock.measured); a persistent
    // token's answer cannot measure it (no expiry), so it is not held back for that.
    const measured =
      payload.accessExpiresAt === null && !payload.refreshOnly ? () => {} : await ctx.clock.measured();
    let result: CallResult<CallValues["create"]>;
    try {
      if (!(await ctx.pacer.acquire())) return null;
      const lifetimes = lifetimesAt(payload, ctx.clock.latestNow(), ctx.rules);
      if (lifetimes === "expired")
        return outcome({ state: "skipped", reason: "expired", detail: "expired while waiting to be sent" });
      const { dropRefreshToken, ...durations } = lifetimes;
      const { refreshToken: legacyRefresh, ...request } = payload.request;
      const refreshToken = dropRefreshToken ? undefined : legacyRefresh;
      attempts++;
      ctx.stats.calls++;
      ctx.stats.creates++;
      const calibrating = ctx.clock.offset.source !== "token-create";
      const sentAt = ctx.clock.hostNow();
      result = await ctx.calls.call("create", {
        ...request,
        ...(refreshToken === undefined ? {} : { refreshToken }),
        ...durations,
      });
      if (result.ok && result.value.action === "OK") {
        ctx.health.success();
        ctx.pacer.speedUp();
        const receivedAt = ctx.clock.hostNow();
        const sent = { lifetimes: durations, refreshToken, sentAt, receivedAt, calibrating };
        const confirmed = await confirmCreate(ctx, payload, sent, result.value);
        return confirmed && outcome(confirmed);
      }
    } finally {
      measured();
    }
    const failure: CallFailure = result.ok
      ? {
          kind: "rejected",
          status: 200,
          resultCode: result.value.resultCode,
          resultMessage: result.value.resultMessage,
          action: result.value.action,
        }
      : result.failure;
    lastFailure = failure;
    if (failure.kind === "rejected" || failure.kind === "forbidden") {
      // A refusal may be the duplicate answer to a create that landed earlier: look before deciding. A
      // 403 may concern this row alone (a client of another service): the probe's own call tells
      // whether the bearer itself is refused, and only then does the run stop.
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
