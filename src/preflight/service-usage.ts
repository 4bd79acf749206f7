import type { Mapping } from "../map/index.js";
import type { ReadOptions } from "../read/index.js";
import { mappedRows } from "../rows/index.js";

/** (client, subject) pairs counted for the several-tokens check; past this, counting stops. */
const pairLimit = 1_000_000;

/**
 * What the tokens of a dump need from the target service, and how their lifetimes relate: plain JSON,
 * kept with a completed run so a rerun over the same unchanged sources and mapping need not scan again.
 */
export interface ServiceUsage {
  /** Rows the sources hold: the reading doubles as a live run's pre-scan. */
  rows: number;
  /** Authlete client ID → grant types its rows use. */
  clients: Record<string, string[]>;
  scopes: string[];
  /** Rows that carry a refresh token. */
  refresh: number;
  /** Authlete client ID → subjects with several live access tokens for it. */
  severalByClient: Record<string, number>;
  /** Rows whose refresh token expires before their access token (a linked service cuts the access token). */
  refreshBeforeAccess: number;
  /** Authlete client ID → rows with a refresh token the legacy server never expires (Authlete's default applies). */
  refreshNeverExpires: Record<string, number>;
  /** Rows with a refresh token on a grant type Authlete issues none for (it would be dropped). */
  refreshOnGrantWithout: number;
}

/**
 * Nothing known of the dump's needs: a pipe is read once, by the run itself, so the service check reads
 * only the service's settings.
 */
export function unknownUsage(): ServiceUsage {
  return {
    rows: 0,
    clients: {},
    scopes: [],
    refresh: 0,
    severalByClient: {},
    refreshBeforeAccess: 0,
    refreshNeverExpires: {},
    refreshOnGrantWithout: 0,
  };
}

const add = (counts: Record<string, number>, key: string | number) => (counts[key] = (counts[key] ?? 0) + 1);

/** Reads the sources once and maps every row, counting what the service checks need. */
export async function serviceUsage(
  files: readonly string[],
  mapping: Mapping,
  read: ReadOptions,
  now: number,
): Promise<ServiceUsage> {
  const clients = new Map<number, Set<string>>();
  const scopes = new Set<string>();
  const perSubject = new Map<string, number>();
  const used = unknownUsage();
  for await (const { result: r } of mappedRows({ files, read, mapping, now })) {
    used.rows++;
    if (r.kind !== "payload") continue;
    const { clientId, grantType, subject, refreshToken } = r.request;
    if (!clients.has(clientId)) clients.set(clientId, new Set());
    clients.get(clientId)!.add(grantType);
    for (const s of r.request.scopes ?? []) scopes.add(s);
    if (refreshToken !== undefined) {
      used.refresh++;
      if (grantType === "CLIENT_CREDENTIALS" || grantType === "IMPLICIT") used.refreshOnGrantWithout++;
      if (r.refreshExpiresAt === null) add(used.refreshNeverExpires, clientId);
      else if (!r.refreshOnly && (r.accessExpiresAt === null || r.refreshExpiresAt < r.accessExpiresAt))
        used.refreshBeforeAccess++;
    }
    if (
      subject !== undefined &&
      !r.refreshOnly &&
      grantType !== "CLIENT_CREDENTIALS" &&
      perSubject.size < pairLimit
    ) {
      const pair = `${clientId} ${subject}`;
      perSubject.set(pair, (perSubject.get(pair) ?? 0) + 1);
    }
  }
  for (const [clientId, grants] of clients) used.clients[clientId] = [...grants].sort();
  used.scopes = [...scopes].sort();
  for (const [pair, n] of perSubject) if (n > 1) add(used.severalByClient, pair.slice(0, pair.indexOf(" ")));
  return used;
}
