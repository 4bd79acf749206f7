import type { GrantType } from "../shared/wire.js";

export { grantTypes, type GrantType } from "../shared/wire.js";

export interface ServiceSeed {
  serviceId: string;
  serviceName: string;
  bearers: string[];
  supportedGrantTypes: GrantType[];
  supportedScopes: string[];
  /** Seconds; used when a create asks for 0 or nothing. */
  accessTokenDuration: number;
  refreshTokenDuration: number;
  refreshTokenKept: boolean;
  /** A refreshed chain keeps the remaining refresh lifetime (only with refreshTokenKept: unless reset). */
  refreshTokenDurationKept?: boolean;
  refreshTokenDurationReset?: boolean;
  /** An access token never outlives its refresh token: its expiry is cut to the refresh token's. */
  tokenExpirationLinked?: boolean;
  /** Issuing a token revokes the subject's other tokens of the same client. */
  singleAccessTokenPerSubject?: boolean;
  /** Scope attributes `access_token.duration` / `refresh_token.duration` (seconds), by scope name. */
  scopeDurations?: Record<string, { accessTokenDuration?: number; refreshTokenDuration?: number }>;
}

/** A client's `extension` durations (seconds): they override the scope's and the service's (Authlete 3.0). */
export interface ClientExtension {
  accessTokenDuration?: number;
  refreshTokenDuration?: number;
}

export interface ClientSeed {
  clientId: number;
  serviceId: string;
  clientIdAlias?: string;
  clientSecret: string;
  grantTypes: GrantType[];
  extension?: ClientExtension;
  singleAccessTokenPerSubject?: boolean;
}

/** Behaviours Authlete's documentation leaves open: the emulator makes them settable, the client relies on none. */
export interface UnconfirmedBehaviour {
  duplicateResultCode: string;
  duplicateStatus: number;
  /**
   * A refresh token given for a grant type or service without refresh tokens: "drop" (the documented
   * "is not created": a 200 without it, the default) or "reject" (400).
   */
  unsupportedRefreshToken: "drop" | "reject";
  /** A create for a client of another service: 403 with `action: FORBIDDEN` ("action") or a plain 403 body. */
  foreignClientAnswer: "action" | "plain";
  /**
   * /auth/token/update with an expiry already past: "apply" it (the token, or its refresh token, ends at
   * once; the default) or "refuse" it (400 BAD_REQUEST). The client must work with either.
   */
  pastExpiryOnUpdate: "apply" | "refuse";
}

/** A channel of the LINE-style issuer (channel access token v2.1), a legacy source for the demo and tests. */
export interface LineChannelSeed {
  channelId: string;
  channelSecret: string;
}

export interface EmulatorSeed {
  services: ServiceSeed[];
  clients: ClientSeed[];
  lineChannels: LineChannelSeed[];
  behaviour: UnconfirmedBehaviour;
}

export type RateLimitVariant = "retry-after" | "no-header" | "text-body" | "503";

/** Fault injection; every probability is per request, drawn from one seeded random source. */
export interface FaultOptions {
  seed: number;
  latencyMs: number;
  jitterMs: number;
  /** Requests per second the token bucket admits; 0 = no limit. */
  rateLimit: number;
  rateLimitBurst: number;
  rateLimitVariant: RateLimitVariant;
  /** Probability of answering 500, 502 or 503 without processing. */
  errorRate: number;
  /** Probability of destroying the connection before processing. */
  resetRate: number;
  /** Probability that a create is committed and its response is never sent. */
  lostResponseRate: number;
  /** Probability of an extra slowMs delay, for timeout tests. */
  slowRate: number;
  slowMs: number;
  /** Probability that a write is committed and then answered with 500/502/503. */
  commitThenErrorRate: number;
}

export const noFaults: FaultOptions = Object.freeze({
  seed: 1,
  latencyMs: 0,
  jitterMs: 0,
  rateLimit: 0,
  rateLimitBurst: 0,
  rateLimitVariant: "retry-after",
  errorRate: 0,
  resetRate: 0,
  lostResponseRate: 0,
  slowRate: 0,
  slowMs: 0,
  commitThenErrorRate: 0,
});

/** A token as the emulator keeps it: hashes only, never values. */
export interface StoredToken {
  accessHash: string;
  refreshHash: string | null;
  serviceId: string;
  clientId: number;
  subject: string | null;
  grantType: GrantType;
  scopes: string[];
  /** Epoch ms; null = persistent (never expires). */
  accessExpiresAt: number | null;
  refreshExpiresAt: number | null;
  properties: { key: string; value: string; hidden: boolean }[];
  createdAt: number;
  tokenId: string;
  certificateThumbprint: string | null;
  dpopKeyThumbprint: string | null;
  /** What the create carried besides the tokens, as introspection returns it. */
  attributes?: TokenAttributes;
}

/** Optional create attributes the emulator keeps and introspection returns. */
export interface TokenAttributes {
  resources?: string[];
  acr?: string;
  authTime?: number;
  authorizationDetails?: unknown;
  sessionId?: string;
  clientIdAliasUsed?: boolean;
}
