import { clientGet } from "@authlete/typescript-sdk/funcs/clientGet.js";
import { clientList } from "@authlete/typescript-sdk/funcs/clientList.js";
import { serviceGet } from "@authlete/typescript-sdk/funcs/serviceGet.js";
import type { AuthleteConnection } from "./authlete-client.js";
import { describeFailure } from "./call-failure.js";
import { readBeforeWrites } from "./preflight.js";

/** Durations in seconds as a service, client extension or scope sets them (0 or absent: not set). */
export interface Durations {
  accessTokenDuration?: number;
  refreshTokenDuration?: number;
}

/** The target service's settings that decide what a create does (read-only). */
export interface ServiceFacts extends Durations {
  scopes: Set<string>;
  grantTypes: Set<string>;
  /** Scope attributes `access_token.duration` / `refresh_token.duration`, by scope name. */
  scopeDurations: Map<string, Durations>;
  tokenExpirationLinked: boolean;
  singleAccessTokenPerSubject: boolean;
  refreshTokenKept: boolean;
  refreshTokenDurationKept: boolean;
  refreshTokenDurationReset: boolean;
}

/** A client's settings that decide what a create does. */
export interface ClientFacts {
  grantTypes: Set<string>;
  singleAccessTokenPerSubject: boolean;
  extension: Durations;
}

function scopeDurations(scopes: { name?: string; attributes?: { key?: string; value?: string }[] }[]) {
  const found = new Map<string, Durations>();
  for (const scope of scopes) {
    const d: Durations = {};
    for (const a of scope.attributes ?? []) {
      const seconds = Number(a.value);
      if (!Number.isInteger(seconds) || seconds <= 0) continue;
      if (a.key === "access_token.duration") d.accessTokenDuration = seconds;
      if (a.key === "refresh_token.duration") d.refreshTokenDuration = seconds;
    }
    if (scope.name && (d.accessTokenDuration || d.refreshTokenDuration)) found.set(scope.name, d);
  }
  return found;
}

/** The target service's settings (read-only). */
export async function readService(authlete: AuthleteConnection): Promise<ServiceFacts | { error: string }> {
  const result = await readBeforeWrites(() => serviceGet(authlete.core, { serviceId: authlete.serviceId }));
  if (!result.ok) return { error: describeFailure(result.failure) };
  const s = result.value;
  return {
    scopes: new Set((s.supportedScopes ?? []).map((scope) => scope.name ?? "")),
    grantTypes: new Set(s.supportedGrantTypes ?? []),
    scopeDurations: scopeDurations(s.supportedScopes ?? []),
    accessTokenDuration: s.accessTokenDuration,
    refreshTokenDuration: s.refreshTokenDuration,
    tokenExpirationLinked: s.tokenExpirationLinked === true,
    singleAccessTokenPerSubject: s.singleAccessTokenPerSubject === true,
    refreshTokenKept: s.refreshTokenKept === true,
    refreshTokenDurationKept: s.refreshTokenDurationKept === true,
    refreshTokenDurationReset: s.refreshTokenDurationReset === true,
  };
}

/** A client's settings, or null when the service has no such client (read-only). */
export async function readClient(
  authlete: AuthleteConnection,
  clientId: number,
): Promise<ClientFacts | null | { error: string }> {
  const result = await readBeforeWrites(() =>
    clientGet(authlete.core, { serviceId: authlete.serviceId, clientId: String(clientId) }),
  );
  if (result.ok) {
    const c = result.value;
    return {
      grantTypes: new Set(c.grantTypes ?? []),
      singleAccessTokenPerSubject: c.singleAccessTokenPerSubject === true,
      extension: {
        accessTokenDuration: c.extension?.accessTokenDuration,
        refreshTokenDuration: c.extension?.refreshTokenDuration,
      },
    };
  }
  const { failure } = result;
  if (failure.status === 404 || failure.status === 400 || failure.status === 403) return null;
  return { error: describeFailure(failure) };
}

/** One of the service's clients, as a person filling in a client map needs it. */
export interface ServiceClient {
  clientId: number;
  clientIdAlias?: string;
  clientName?: string;
  grantTypes: string[];
}

/** The service's clients (read-only), at most `limit`, a page of 100 at a time. */
export async function listServiceClients(
  authlete: AuthleteConnection,
  limit = 1000,
): Promise<ServiceClient[] | { error: string }> {
  const found: ServiceClient[] = [];
  while (found.length < limit) {
    const start = found.length;
    const result = await readBeforeWrites(() =>
      clientList(authlete.core, { serviceId: authlete.serviceId, start, end: start + 100 }),
    );
    if (!result.ok) return { error: describeFailure(result.failure) };
    const page = result.value.clients ?? [];
    for (const c of page)
      if (c.clientId !== undefined)
        found.push({
          clientId: c.clientId,
          ...(c.clientIdAlias ? { clientIdAlias: c.clientIdAlias } : {}),
          ...(c.clientName ? { clientName: c.clientName } : {}),
          grantTypes: [...(c.grantTypes ?? [])],
        });
    if (page.length < 100 || found.length >= (result.value.totalCount ?? 0)) break;
  }
  return found;
}
