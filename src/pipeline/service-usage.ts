import type { Mapping } from "../map/types.js";
import { mapRow } from "../map/index.js";
import { readRows, type ReadOptions } from "../read/index.js";

/** (client, subject) pairs counted for the several-tokens check; past this, counting stops. */
const pairLimit = 1_000_000;

/** What the tokens of a dump need from the target service, and how their lifetimes relate. */
export interface ServiceUsage {
  /** Rows the sources hold: the reading doubles as a live run's pre-scan. */
  rows: number;
  /** Authlete client → grant types its rows use. */
  clients: Map<number, Set<string>>;
  scopes: Set<string>;
  /** Rows that carry a refresh token. */
  refresh: number;
  /** Live access tokens per "client subject". */
  perSubject: Map<string, number>;
  /** Rows whose refresh token expires before their access token (a linked service cuts the access token). */
  refreshBeforeAccess: number;
  /** Rows with a refresh token the legacy server never expires: Authlete's default lifetime applies. */
  refreshNeverExpires: Map<number, number>;
  /** Rows with a refresh token on a grant type Authlete issues none for (it would be dropped). */
  refreshOnGrantWithout: number;
}

/** Reads the sources once and maps every row, counting what the service checks need. */
export async function serviceUsage(
  files: readonly string[],
  mapping: Mapping,
  read: ReadOptions,
  now: number,
): Promise<ServiceUsage> {
  const used: ServiceUsage = {
    rows: 0,
    clients: new Map(),
    scopes: new Set(),
    refresh: 0,
    perSubject: new Map(),
    refreshBeforeAccess: 0,
    refreshNeverExpires: new Map(),
    refreshOnGrantWithout: 0,
  };
  for await (const row of readRows(files, read)) {
    used.rows++;
    const r = mapRow(row, { mapping, now });
    if (r.kind !== "payload") continue;
    const { clientId, grantType, subject, refreshToken } = r.request;
    if (!used.clients.has(clientId)) used.clients.set(clientId, new Set());
    used.clients.get(clientId)!.add(grantType);
    for (const s of r.request.scopes ?? []) used.scopes.add(s);
    if (refreshToken !== undefined) {
      used.refresh++;
      if (grantType === "CLIENT_CREDENTIALS" || grantType === "IMPLICIT") used.refreshOnGrantWithout++;
      if (r.refreshExpiresAt === null)
        used.refreshNeverExpires.set(clientId, (used.refreshNeverExpires.get(clientId) ?? 0) + 1);
      else if (!r.refreshOnly && (r.accessExpiresAt === null || r.refreshExpiresAt < r.accessExpiresAt))
        used.refreshBeforeAccess++;
    }
    if (
      subject !== undefined &&
      !r.refreshOnly &&
      grantType !== "CLIENT_CREDENTIALS" &&
      used.perSubject.size < pairLimit
    ) {
      const pair = `${clientId} ${subject}`;
      used.perSubject.set(pair, (used.perSubject.get(pair) ?? 0) + 1);
    }
  }
  return used;
}
