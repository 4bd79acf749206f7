import type { TokenCreateResponse } from "@authlete/typescript-sdk/models";
import type { Payload } from "../map/index.js";
import { MigrateError } from "../shared/errors.js";
import { tokenHash } from "../shared/hash.js";
import { retried } from "./absorb.js";
import { describeFailure } from "./call-failure.js";
import type { TokenWriterContext } from "./context.js";
import type { WriteOutcome } from "./types.js";
import { aimedExpiry, type SendTimeLifetimes } from "./durations.js";

type Verdict = Omit<WriteOutcome, "key" | "attempts">;

/** A token created before the clock was measured is set to its aimed expiry if it came out earlier than this before the legacy one. */
const earliestMs = 2000;

/** One create as it left and came back: what was asked, and this host's clock around the call. */
export interface SentCreate {
  lifetimes: Omit<SendTimeLifetimes, "dropRefreshToken">;
  refreshToken: string | undefined;
  sentAt: number;
  receivedAt: number;
  /** Sent before a create had measured Authlete's clock to the millisecond. */
  calibrating: boolean;
}

/** New absolute expiries (ms) for a stored token whose lifetime came out later than the legacy one (or, before the clock was measured, too short). */
interface ExpiryFix {
  accessTokenExpiresAt?: number;
  refreshTokenExpiresAt?: number;
}

/** Deletes a token this writer just stored; true once Authlete no longer has it. */
async function undo(ctx: TokenWriterContext, accessToken: string): Promise<boolean> {
  const done = await retried(ctx, () => ctx.calls.call("delete", accessToken));
  return done !== null && (done.ok || done.failure.status === 404);
}

/**
 * Sets the absolute expiries with /auth/token/update and checks what Authlete answers it now holds. A
 * token whose expiry stays later than the legacy one is deleted again and its row fails (a later run
 * tries again); one that lost its refresh token on the way is never `created`.
 */
async function correct(
  ctx: TokenWriterContext,
  payload: Payload,
  fix: ExpiryFix,
  created: Verdict,
): Promise<Verdict | null> {
  const accessToken = payload.request.accessToken!;
  const done = await retried(ctx, () => ctx.calls.call("update", { accessToken, ...fix }));
  if (done === null) return null;
  const held = done.ok ? done.value : undefined;
  const accessHeld = held?.accessTokenExpiresAt ?? 0;
  const refreshHeld = held?.refreshTokenExpiresAt ?? 0;
  const accessOk =
    fix.accessTokenExpiresAt === undefined || (accessHeld > 0 && accessHeld <= payload.accessExpiresAt!);
  const refreshOk =
    fix.refreshTokenExpiresAt === undefined || (refreshHeld > 0 && refreshHeld <= payload.refreshExpiresAt!);
  if (held?.action === "OK" && accessOk && refreshOk) {
    return {
      ...created,
      expiresAt: accessHeld || created.expiresAt,
      detail: "expiry corrected with /auth/token/update",
    };
  }
  if (held?.action === "OK" && fix.refreshTokenExpiresAt !== undefined && refreshHeld <= 0) {
    const undone = await undo(ctx, accessToken);
    return notStored("refresh_token_not_stored", "Authlete holds no refresh token for it", undone);
  }
  const why = done.ok
    ? `Authlete answered ${held?.action ?? "nothing"} and holds a later expiry`
    : describeFailure(done.failure);
  const undone = await undo(ctx, accessToken);
  return {
    state: "failed",
    reason: "expiry_not_corrected",
    detail: `the stored expiry was later than the legacy one and could not be corrected (${why}); ${
      undone
        ? "the token was deleted again, a later run retries it"
        : "deleting it failed too: delete it by hash"
    }`,
  };
}

function notStored(
  reason: "refresh_token_not_stored" | "token_not_stored",
  what: string,
  undone: boolean,
): Verdict {
  return {
    state: "rejected",
    reason,
    detail: `${what}; ${undone ? "the token was deleted again" : "deleting it failed: delete it by hash"}`,
  };
}

/**
 * Checks a create Authlete answered OK against what was asked, before the row becomes `created`: the
 * echoed values are the sent ones, and the stored expiries are not later than the legacy ones (the
 * refresh token's, which the answer does not carry, from the instant the answer shows it was issued).
 */
export async function confirmCreate(
  ctx: TokenWriterContext,
  payload: Payload,
  sent: SentCreate,
  response: TokenCreateResponse,
): Promise<Verdict | null> {
  const accessToken = payload.request.accessToken!;
  const created: Verdict = {
    state: "created",
    reason: null,
    resultCode: response.resultCode,
    expiresAt: response.expiresAt,
    sentHash: tokenHash(accessToken),
  };
  if (response.accessToken !== accessToken) {
    const undone = response.accessToken ? await undo(ctx, response.accessToken) : true;
    return notStored("token_not_stored", "Authlete answered with another access token value", undone);
  }
  if (sent.refreshToken !== undefined && response.refreshToken !== sent.refreshToken) {
    const undone = await undo(ctx, accessToken);
    return notStored(
      "refresh_token_not_stored",
      response.refreshToken === undefined
        ? "Authlete dropped the refresh token (a grant type or service without refresh tokens)"
        : "Authlete holds another refresh token value",
      undone,
    );
  }
  const { accessTokenDuration: asked, refreshTokenDuration: refreshAsked } = sent.lifetimes;
  let issuedAt: number | undefined;
  if (asked !== undefined && response.expiresAt && response.expiresIn !== undefined) {
    if (response.expiresIn === asked) {
      issuedAt = response.expiresAt - asked * 1000;
      ctx.clock.observeIssue(issuedAt, sent.sentAt, sent.receivedAt);
      if (ctx.clock.leastSkewMs > ctx.options.maxClockSkewMs) ctx.abort(skewError(ctx));
    } else if (response.expiresIn < asked - 1) ctx.stats.shortenedTokens++;
  }
  // A create sent before the clock was measured (only the Date header's whole second bounded it) may
  // come out up to a second shorter than aimed: it is set to the aimed expiry too.
  const tooEarly = (stored: number, legacy: number) => sent.calibrating && stored < legacy - earliestMs;
  const fix: ExpiryFix = {};
  const legacyAccess = payload.accessExpiresAt;
  const storedAccess = response.expiresAt ?? 0;
  if (legacyAccess !== null && !payload.refreshOnly) {
    if (!(storedAccess > 0 && storedAccess <= legacyAccess) || tooEarly(storedAccess, legacyAccess))
      fix.accessTokenExpiresAt = aimedExpiry(legacyAccess);
  }
  const legacyRefresh = payload.refreshExpiresAt;
  if (sent.refreshToken !== undefined && legacyRefresh !== null && refreshAsked !== undefined) {
    const latest = (issuedAt ?? sent.receivedAt + ctx.clock.highMs) + refreshAsked * 1000;
    // Without an issue instant (a persistent access token) and before the clock was measured, the refresh
    // expiry is known only to about a second: it is set absolutely.
    const unsure = issuedAt === undefined ? sent.calibrating : tooEarly(latest, legacyRefresh);
    if (latest > legacyRefresh || unsure) fix.refreshTokenExpiresAt = aimedExpiry(legacyRefresh);
  }
  if (fix.accessTokenExpiresAt === undefined && fix.refreshTokenExpiresAt === undefined) return created;
  const corrected = await correct(ctx, payload, fix, created);
  if (corrected?.state === "created") ctx.stats.expiryCorrections++;
  return corrected;
}

/**
 * A token found by introspection after an in-doubt create: when and from which clock it was issued is
 * unknown, so its expiries are set absolutely, and checked, before it counts as created.
 */
export async function confirmFound(ctx: TokenWriterContext, payload: Payload): Promise<Verdict | null> {
  const accessToken = payload.request.accessToken!;
  const created: Verdict = {
    state: "created",
    reason: null,
    detail: "confirmed by introspection",
    sentHash: tokenHash(accessToken),
  };
  const fix: ExpiryFix = {};
  if (payload.accessExpiresAt !== null && !payload.refreshOnly)
    fix.accessTokenExpiresAt = aimedExpiry(payload.accessExpiresAt);
  if (payload.request.refreshToken !== undefined && payload.refreshExpiresAt !== null)
    fix.refreshTokenExpiresAt = aimedExpiry(payload.refreshExpiresAt);
  if (fix.accessTokenExpiresAt === undefined && fix.refreshTokenExpiresAt === undefined) return created;
  const checked = await correct(ctx, payload, fix, created);
  return checked?.state === "created" ? { ...checked, detail: created.detail } : checked;
}

/** The run-level error for a clock too far from Authlete's. */
export function skewError(ctx: TokenWriterContext): MigrateError {
  const { offsetMs, uncertaintyMs } = ctx.clock.offset;
  return new MigrateError(
    "clock_skew",
    `Authlete's clock is ${(offsetMs / 1000).toFixed(1)} s (± ${(uncertaintyMs / 1000).toFixed(1)} s) off this host's, beyond --max-clock-skew ${ctx.options.maxClockSkewMs / 1000} s; fix the host's clock or raise the limit`,
  );
}
