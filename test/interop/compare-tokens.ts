import { tokenHash } from "../../src/shared/hash.js";
import { bearer, serviceId } from "../helpers/emulator.js";
import type { RunningEmulator } from "../../src/emulator/index.js";

/** A token a legacy server issued in the suite, with the Authlete client it maps to. */
export interface IssuedToken {
  label: string;
  access: string;
  refresh?: string;
  client: number;
}

/** A legacy server as the comparison asks it: RFC 7662 introspection, and whether a refresh token still works. */
export interface LegacyView {
  introspect(token: string): Promise<{
    active: boolean;
    scope?: string;
    exp?: number;
    client_id?: string;
    sub?: string;
    username?: string;
  }>;
  refreshUsable(token: string): boolean;
}

async function authleteIntrospect(baseUrl: string, token: string) {
  const response = await fetch(`${baseUrl}/api/${serviceId}/auth/introspection`, {
    method: "POST",
    headers: { authorization: `Bearer ${bearer}`, "content-type": "application/json" },
    body: JSON.stringify({ token }),
  });
  return (await response.json()) as {
    action: string;
    subject?: string;
    clientId?: number;
    scopes?: string[];
    expiresAt?: number;
  };
}

/**
 * Token by token, the legacy server's RFC 7662 introspection against Authlete's: active, subject, client,
 * scopes, expiry (never later, at most 3 s earlier; `exp` is truncated to the second); refresh tokens
 * usable at both or neither. `notMigrated` tokens (rejected on purpose) may be live at the legacy server only.
 */
export async function compareTokens(
  legacy: LegacyView,
  emulator: RunningEmulator,
  issued: IssuedToken[],
  notMigrated: Set<string>,
) {
  const mismatches: string[] = [];
  let deadUsable = 0;
  let refreshUsableAtBoth = 0;
  let live = 0;
  for (const { label, access, refresh, client } of issued) {
    const theirs = await legacy.introspect(access);
    const ours = await authleteIntrospect(emulator.baseUrl, access);
    const active = ours.action === "OK";
    if (theirs.active) live++;
    if (!theirs.active && active) deadUsable++;
    if (theirs.active !== active && !(notMigrated.has(label) && !active))
      mismatches.push(`${label}: active ${theirs.active} at the legacy server, ${active} at Authlete`);
    if (theirs.active && active) {
      const same = (what: string, a: unknown, b: unknown) =>
        JSON.stringify(a) === JSON.stringify(b) ||
        mismatches.push(`${label}: ${what} ${String(a)} ≠ ${String(b)}`);
      same("subject", theirs.sub || theirs.username || undefined, ours.subject);
      same("client", client, ours.clientId);
      same("scopes", theirs.scope?.split(" ").sort(), [...(ours.scopes ?? [])].sort());
      // No legacy exp: the token never expires there, and must be persistent (expiresAt 0) at Authlete.
      if (theirs.exp === undefined) {
        if (ours.expiresAt !== 0)
          mismatches.push(`${label}: expires at Authlete, never at the legacy server`);
      } else {
        const late = ours.expiresAt! - (theirs.exp * 1000 + 999);
        const early = theirs.exp * 1000 - ours.expiresAt!;
        if (late > 0 || early > 3000)
          mismatches.push(`${label}: expiry ${ours.expiresAt} vs legacy ${theirs.exp} s`);
      }
    }
    if (refresh) {
      const atLegacy = legacy.refreshUsable(refresh);
      const held = emulator.store.byRefreshHash(tokenHash(refresh));
      const atAuthlete = held !== undefined && (held.refreshExpiresAt ?? Infinity) > Date.now();
      if (!atLegacy && atAuthlete) deadUsable++;
      if (atLegacy && atAuthlete) refreshUsableAtBoth++;
      if (atLegacy !== atAuthlete && !notMigrated.has(label))
        mismatches.push(
          `${label}: refresh token usable ${atLegacy} at the legacy server, ${atAuthlete} at Authlete`,
        );
    }
  }
  return { live, mismatches, deadUsable, refreshUsableAtBoth };
}
