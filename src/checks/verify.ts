import type { Payload } from "../map/index.js";
import { checkEach, runCheck, type CheckTally, type MigratedCheck } from "./migrated-sample.js";
import { printable } from "../shared/text.js";
import type { TokenFacts } from "../write/index.js";

export type VerifyConfig = MigratedCheck;

export type MismatchKind = "missing" | "client" | "subject" | "scopes" | "expiry" | "refreshable" | "error";

export interface VerifySummary extends CheckTally<MismatchKind> {
  verified: number;
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * How a migrated token differs from its legacy row; empty when it matches. On a service with
 * `tokenExpirationLinked`, a row without a refresh token got a generated one as long-lived as its access
 * token (nobody holds it): refreshable is then expected.
 */
export function compare(
  payload: Payload,
  facts: TokenFacts,
  expirationLinked = false,
): { kind: MismatchKind; detail: string }[] {
  if ("error" in facts) return [{ kind: "error", detail: facts.error }];
  if (!facts.existent) return [{ kind: "missing", detail: "Authlete does not know the token" }];
  const found: { kind: MismatchKind; detail: string }[] = [];
  const want = payload.request;
  if (facts.clientId !== want.clientId)
    found.push({ kind: "client", detail: `client ${facts.clientId} at Authlete, legacy ${want.clientId}` });
  if (want.grantType !== "CLIENT_CREDENTIALS" && (facts.subject ?? undefined) !== want.subject)
    found.push({
      kind: "subject",
      detail: `subject "${printable(facts.subject ?? "", 100)}" at Authlete, legacy "${printable(want.subject ?? "", 100)}"`,
    });
  const scopes = (s: readonly string[] | undefined) => [...(s ?? [])].sort().join(" ");
  if (scopes(facts.scopes) !== scopes(want.scopes))
    found.push({
      kind: "scopes",
      detail: `scopes "${printable(scopes(facts.scopes))}" at Authlete, legacy "${printable(scopes(want.scopes))}"`,
    });
  if (!payload.refreshOnly && payload.accessExpiresAt !== null && facts.expiresAt !== undefined) {
    const off = facts.expiresAt - payload.accessExpiresAt;
    if (Math.abs(off) > 2000)
      found.push({
        kind: "expiry",
        detail: `expires ${iso(facts.expiresAt)} at Authlete, legacy ${iso(payload.accessExpiresAt)}: ${Math.round(Math.abs(off) / 1000)} s ${off > 0 ? "later" : "earlier"}`,
      });
  }
  const legacyRefreshable = want.refreshToken !== undefined;
  const generated = expirationLinked && !legacyRefreshable && facts.refreshable;
  if (facts.refreshable !== legacyRefreshable && !generated)
    found.push({
      kind: "refreshable",
      detail: `refreshable ${facts.refreshable} at Authlete, legacy ${legacyRefreshable}`,
    });
  return found;
}

/**
 * Introspects migrated tokens, with values read again from the sources (the ledger has none), and
 * compares them with their legacy rows; every verdict is recorded in the ledger.
 */
export async function verify(config: VerifyConfig): Promise<VerifySummary> {
  return runCheck(config, "verify", async ({ ledger, runId, migrated, chosen }) => {
    const { connectAuthlete, readService } = await import("../write/index.js");
    const authlete = connectAuthlete(config.connection);
    const service = await readService(authlete).catch(async (error: unknown) => {
      await authlete.close();
      throw error;
    });
    const linked = !("error" in service) && service.tokenExpirationLinked;
    const summary: VerifySummary = {
      runId,
      migrated,
      verified: 0,
      matched: 0,
      mismatches: {},
      mismatchRows: [],
    };
    await checkEach(
      { chosen, concurrency: config.concurrency, authlete, ledger, runId, tally: summary },
      async (token, facts) => {
        summary.verified++;
        return compare(token.payload, facts, linked);
      },
    );
    return summary;
  });
}
