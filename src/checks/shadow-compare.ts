import { introspectAtLegacy, type LegacyFacts, type LegacyServer } from "../legacy/index.js";
import { mapScopes, type Mapping } from "../map/index.js";
import { printable } from "../shared/text.js";
import type { TokenFacts } from "../write/index.js";
import { MigrateError } from "../shared/errors.js";
import {
  checkEach,
  runCheck,
  type CheckTally,
  type MigratedCheck,
  type MigratedToken,
} from "./migrated-sample.js";

export interface CompareConfig extends MigratedCheck {
  legacy: LegacyServer;
  /** Calls per second at most to the legacy server, which still serves production traffic. */
  legacyRate: number;
  /** Ask about refresh tokens too (false for a server that introspects access tokens only). */
  refreshTokens: boolean;
}

export type CompareKind = "active" | "refresh" | "client" | "subject" | "scopes" | "expiry" | "error";

export interface CompareSummary extends CheckTally<CompareKind> {
  compared: number;
  /** Rows migrated refresh-only whose refresh token was not asked about: nothing was compared. */
  refreshOnly: number;
}

const iso = (ms: number) => new Date(ms).toISOString();
/** Refused answers in a row from the legacy server that end a compare. */
const refusalsToStop = 3;

/**
 * How the two servers' answers about the same access token differ, now: active, client (through the
 * mapping's client map), subject, scopes (through its scope map) and expiry (Authlete never later, at most
 * 3 s earlier than the legacy `exp`, which is truncated to the second).
 */
export function diffAnswers(
  legacy: LegacyFacts,
  ours: TokenFacts,
  mapping: Mapping,
  now: number,
): { kind: CompareKind; detail: string }[] {
  if ("error" in legacy) return [{ kind: "error", detail: legacy.error }];
  if ("error" in ours) return [{ kind: "error", detail: ours.error }];
  const active = ours.existent && (!ours.expiresAt || ours.expiresAt > now);
  if (legacy.active !== active)
    return [
      { kind: "active", detail: `active ${active} at Authlete, ${legacy.active} at the legacy server` },
    ];
  if (!legacy.active || !ours.existent) return [];
  const found: { kind: CompareKind; detail: string }[] = [];
  const legacyClient = legacy.clientId ?? "";
  const client = mapping.clients ? mapping.clients.get(legacyClient)?.clientId : Number(legacyClient);
  if (client !== ours.clientId)
    found.push({
      kind: "client",
      detail: `client ${ours.clientId} at Authlete, legacy ${printable(legacyClient, 80)}`,
    });
  if (legacy.subject !== undefined && legacy.subject !== ours.subject)
    found.push({
      kind: "subject",
      detail: `subject "${printable(ours.subject ?? "", 100)}" at Authlete, legacy "${printable(legacy.subject, 100)}"`,
    });
  const mapped = mapScopes(legacy.scope ?? "", { separator: " ", map: mapping.scopes.map });
  const want = "error" in mapped ? mapped.error : [...mapped].sort().join(" ");
  const have = [...ours.scopes].sort().join(" ");
  if (want !== have)
    found.push({
      kind: "scopes",
      detail: `scopes "${printable(have)}" at Authlete, legacy "${printable(want)}"`,
    });
  // Always compared: a token that never expires on one side and does on the other differs too.
  const persistent = !ours.expiresAt;
  if (legacy.expiresAt === undefined || persistent) {
    if (legacy.expiresAt !== undefined || !persistent)
      found.push({
        kind: "expiry",
        detail: `${persistent ? "never expires" : `expires ${iso(ours.expiresAt!)}`} at Authlete, legacy ${legacy.expiresAt === undefined ? "no exp (never)" : iso(legacy.expiresAt)}`,
      });
  } else {
    const late = ours.expiresAt! - (legacy.expiresAt + 999);
    const early = legacy.expiresAt - ours.expiresAt!;
    if (late > 0 || early > 3000)
      found.push({
        kind: "expiry",
        detail: `expires ${iso(ours.expiresAt!)} at Authlete, legacy ${iso(legacy.expiresAt)} (exp, to the second)`,
      });
  }
  return found;
}

/**
 * How the two servers differ on a migrated refresh token: the legacy server's RFC 7662 answer (hint
 * refresh_token) against whether Authlete would refresh with it (`refreshable` of the token it holds).
 */
export function diffRefresh(legacy: LegacyFacts, ours: TokenFacts): { kind: CompareKind; detail: string }[] {
  if ("error" in legacy) return [{ kind: "error", detail: legacy.error }];
  if ("error" in ours) return [{ kind: "error", detail: ours.error }];
  const usable = ours.existent && ours.refreshable;
  return legacy.active === usable
    ? []
    : [
        {
          kind: "refresh",
          detail: `refresh token usable ${usable} at Authlete, active ${legacy.active} at the legacy server`,
        },
      ];
}

/**
 * The pre-cutover shadow check: asks the legacy server (RFC 7662) and Authlete about the same migrated
 * access tokens and records every verdict in the ledger.
 */
export async function shadowCompare(config: CompareConfig): Promise<CompareSummary> {
  return runCheck(config, "compare", async ({ config: checked, ledger, runId, migrated, chosen }) => {
    // Expiries are compared with both servers' answers now, not at the planning instant.
    const now = () => config.now ?? Date.now();
    const summary: CompareSummary = {
      runId,
      migrated,
      compared: 0,
      matched: 0,
      refreshOnly: 0,
      mismatches: {},
      mismatchRows: [],
    };
    const { connectAuthlete, Pacer } = await import("../write/index.js");
    const authlete = connectAuthlete(config.connection);
    // The writer's pacer, for the legacy server (which still serves production): at most --legacy-rate
    // calls a second whatever the concurrency, and its 429's Retry-After holds every call.
    const pacer = new Pacer(config.legacyRate);
    // Refused credentials fail every call alike: a few in a row end the run (a lock-out is not worth it).
    // Ending it stops the pacer too, so a token waiting for its turn asks nothing more.
    let refusedInARow = 0;
    /** The legacy server's answer, or undefined when the run stopped before its turn came. */
    const ask = async (value: string, hint: "access_token" | "refresh_token", halt: (e: Error) => void) => {
      if (!(await pacer.acquire())) return undefined;
      const legacy = await introspectAtLegacy(config.legacy, value, hint);
      if ("error" in legacy && legacy.retryAfterMs !== undefined) {
        pacer.pause(legacy.retryAfterMs);
        pacer.slowDown();
      }
      refusedInARow = "error" in legacy && legacy.refused ? refusedInARow + 1 : 0;
      if (refusedInARow >= refusalsToStop)
        halt(
          new MigrateError(
            "authentication_failed",
            `the legacy server refused --legacy-client-id's credentials ${refusedInARow} times in a row (${"error" in legacy ? legacy.error : ""}): check the client ID and its secret; nothing more was asked`,
          ),
        );
      return legacy;
    };
    const each = { chosen, concurrency: config.concurrency, authlete, ledger, runId, tally: summary };
    // A halt stops the pacer too: a token waiting for its turn asks nothing more.
    const skip = (token: MigratedToken) => {
      const refresh = config.refreshTokens ? token.payload.request.refreshToken : undefined;
      const skipped = token.payload.refreshOnly && refresh === undefined;
      if (skipped) summary.refreshOnly++;
      return skipped;
    };
    // What Authlete holds (the access token itself, or a refresh-only row's probe) is asked first: a
    // refused or unreachable Authlete ends the run before the legacy server is asked anything more.
    await checkEach(
      { ...each, onHalt: () => pacer.stop() },
      async (token, ours, halt) => {
        const { refreshOnly, probeToken, request } = token.payload;
        const refresh = config.refreshTokens ? request.refreshToken : undefined;
        const access = refreshOnly ? undefined : await ask(probeToken, "access_token", halt);
        const refreshed = refresh === undefined ? undefined : await ask(refresh, "refresh_token", halt);
        // A token whose turn the stop took is not compared (nor recorded as compared).
        if ((!refreshOnly && !access) || (refresh !== undefined && !refreshed)) return undefined;
        summary.compared++;
        return [
          ...(access ? diffAnswers(access, ours, checked.mapping, now()) : []),
          ...(refreshed ? diffRefresh(refreshed, ours) : []),
        ];
      },
      skip,
    );
    return summary;
  });
}
