import { randomBytes } from "node:crypto";
import type { TokenStore } from "./store.js";
import type { ClientSeed, EmulatorSeed, ServiceSeed } from "./types.js";

/** What every route handler sees: the seeded configuration, the token store and the clock. */
export interface RouteContext {
  seed: EmulatorSeed;
  store: TokenStore;
  service: ServiceSeed;
  hash: (value: string) => string;
  now: () => number;
}

/** The answer a route gives; the server turns it into HTTP. */
export interface Reply {
  status: number;
  body?: unknown;
}

let entropy = Buffer.alloc(0);
let entropyOffset = 0;

/** A fresh random 256-bit token value, as Authlete generates one when the caller gives none. */
export function generateTokenValue(): string {
  // One getrandom call per 256 values: per-value randomBytes was a tenth of a create's cost.
  if (entropyOffset + 32 > entropy.length) {
    entropy = randomBytes(32 * 256);
    entropyOffset = 0;
  }
  entropyOffset += 32;
  return entropy.subarray(entropyOffset - 32, entropyOffset).toString("base64url");
}

/** `[CODE] text`, the shape of every Authlete resultMessage. */
export function result(resultCode: string, text: string): { resultCode: string; resultMessage: string } {
  return { resultCode, resultMessage: `[${resultCode}] ${text}` };
}

/** A client of this service by numeric id or alias; undefined when it does not exist here. */
export function findClient(ctx: RouteContext, identifier: unknown): ClientSeed | undefined {
  if (identifier === undefined || identifier === null) return undefined;
  const text = String(identifier);
  return ctx.seed.clients.find(
    (c) => c.serviceId === ctx.service.serviceId && (String(c.clientId) === text || c.clientIdAlias === text),
  );
}

/**
 * A lifetime in seconds when the request asks for 0 or nothing, by Authlete 3.0's rule: the client's
 * `extension` duration, else the shortest duration attribute of the requested scopes, else the service's.
 */
export function defaultDuration(
  ctx: RouteContext,
  client: ClientSeed,
  scopes: readonly string[],
  kind: "accessTokenDuration" | "refreshTokenDuration",
): number {
  const own = client.extension?.[kind];
  if (own && own > 0) return own;
  const byScope = scopes
    .map((s) => ctx.service.scopeDurations?.[s]?.[kind])
    .filter((d): d is number => typeof d === "number" && d > 0);
  return byScope.length > 0 ? Math.min(...byScope) : ctx.service[kind];
}

/** The access token's expiry, cut to the refresh token's when the service links them. */
export function linkedExpiry(
  ctx: RouteContext,
  access: number | null,
  refresh: number | null,
): number | null {
  if (!ctx.service.tokenExpirationLinked || refresh === null || access === null) return access;
  return Math.min(access, refresh);
}

/** With single-access-token-per-subject on the service or the client: revokes the subject's other tokens. */
export function revokeOthersOfSubject(ctx: RouteContext, client: ClientSeed, subject: string | null): void {
  if (subject === null) return;
  if (!ctx.service.singleAccessTokenPerSubject && !client.singleAccessTokenPerSubject) return;
  ctx.store.deleteWhere(ctx.service.serviceId, client.clientId, subject);
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
