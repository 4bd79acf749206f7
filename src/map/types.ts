import type { TokenCreateRequest } from "@authlete/typescript-sdk/models";
import type { SourceRow } from "../read/index.js";
import type { LineKeyIdQuery } from "../line/index.js";
import type { MappingShape } from "./mapping-schema.js";

export {
  authleteGrantTypes,
  columnNames,
  revocationColumns,
  type ColumnName,
  type CreatableGrantType,
  type RevocationColumn,
} from "./columns.js";
import { columnNames, type ColumnName, type CreatableGrantType, type RevocationColumn } from "./columns.js";

/** The columns that hold an expiry, a revocation or the issue time (…At), or a lifetime (…In). */
export const timeColumns: ReadonlySet<ColumnName> = new Set(
  columnNames.filter((name) => /(At|In)$/.test(name)),
);

export interface ClientTarget {
  clientId: number;
  grantType?: CreatableGrantType;
}

/**
 * The validated, normalised mapping file: one object, frozen, defaults filled. The sections a file
 * gives as they are come from the schema (mapping-schema.ts); the rest is built from it.
 */
export interface Mapping extends Readonly<
  Pick<MappingShape, "grantTypes" | "defaultGrantType" | "scopes" | "time" | "properties" | "policy">
> {
  /** One source path per column; a revocation column listing several names the first here. */
  columns: Partial<Record<ColumnName, string>> & { accessToken: string };
  /** Every source column of each revocation column (see `revocationColumns`). */
  revocations: Readonly<Record<RevocationColumn, readonly string[]>>;
  /** Source columns read for nothing, on purpose (undefined: the mapping does not account for columns). */
  ignore?: readonly string[];
  /** Legacy client identifier → Authlete client; undefined = the column already holds Authlete's id. */
  clients?: ReadonlyMap<string, ClientTarget>;
  /** A computed access expiry: issuedAt + seconds + factor × column (no expiry column). */
  accessTokenExpiry?: MappingShape["accessTokenExpiry"];
  /** A refresh token's lifetime when no column holds its expiry (see map/refresh-expiry.ts). */
  refreshTokenExpiry?: RefreshTokenExpiry;
  /** The preset's `COPY … TO STDOUT` export query, which the `postgresql:` source runs. */
  exportQuery?: string;
  /** The source revokes by deleting rows (django-oauth-toolkit): a catch-up run must sync deletions. */
  revokesByDeleting: boolean;
  /** Sources that may store something other than the value (a hash, nothing): such rows are never sent. */
  unrecoverable?: { pattern?: RegExp; empty: boolean; stores: string };
  /** JWT access tokens: fill missing columns from their claims; verify them against a JWKS. */
  jwt?: { claims: boolean; jwks?: { file: string } | { url: string } };
  /** Key IDs the source still lists as valid (LINE v2.1): rows whose key ID is not listed are skipped. */
  validKeyIds?: ValidKeyIds;
}

export type RefreshTokenExpiry = NonNullable<MappingShape["refreshTokenExpiry"]>;

/**
 * The valid key IDs: read from a saved answer, or asked of the LINE issuer per channel. Asked ones are
 * fetched once before the first row (rows/key-ids.ts); until then `ids` is undefined.
 */
export interface ValidKeyIds {
  column: string;
  ids?: ReadonlySet<string>;
  issuer?: LineKeyIdQuery;
}

/** Row-level reason codes: the ledger, the report and the tests use these, never message text. */
export type ReasonCode =
  | "malformed_row"
  | "token_missing"
  | "token_invalid_syntax"
  | "client_missing"
  | "client_unknown"
  | "grant_type_unknown"
  | "subject_missing"
  | "subject_invalid"
  | "scope_invalid"
  | "time_invalid"
  | "expiry_missing"
  | "property_reserved"
  | "value_not_recoverable"
  | "revoked_in_source"
  | "key_id_unverifiable"
  | "revoked_since_migration"
  | "revoked_through_bridge"
  | "deleted_in_source"
  | "refresh_ended_since_migration"
  | "access_ended_since_migration"
  | "revocation_failed"
  | "attribute_invalid"
  | "jwt_claims_mismatch"
  | "jwt_signature_invalid"
  | "expired"
  | "revoked"
  | "expired_access_token"
  | "duplicate_in_source"
  | "refresh_token_reused"
  | "already_migrated"
  | "exists_in_authlete"
  | "authlete_rejected"
  | "client_not_in_service"
  | "grant_type_not_allowed"
  | "scope_not_supported"
  | "authlete_unavailable"
  | "token_not_stored"
  | "refresh_token_not_stored"
  | "expiry_not_corrected"
  | "not_found_in_authlete"
  | "unresolved_at_cutover"
  | "interrupted";

/** What the writer needs to create one token; durations are computed from the expiries at send time. */
export interface Payload {
  kind: "payload";
  /** Ledger key: hash of the legacy access token (or of the probe token when the row has none). */
  key: string;
  refreshHash: string | null;
  /** Sent as is, without durations. */
  request: Omit<TokenCreateRequest, "accessTokenDuration" | "refreshTokenDuration" | "accessTokenPersistent">;
  /** The access token value to introspect when the outcome of a create is in doubt. */
  probeToken: string;
  /** Epoch ms; null = never expires (sent as persistent). Unused for refresh-only rows (1 s probe). */
  accessExpiresAt: number | null;
  /** Epoch ms; null = the service's default refresh lifetime. */
  refreshExpiresAt: number | null;
  refreshOnly: boolean;
  /** What the row holds that Authlete cannot take over (counted in the report). */
  notCarried?: NotCarried[];
  /**
   * The access token the source revoked alone (the row is sent refresh-only): a copy an earlier run
   * migrated with it is revoked at Authlete. In memory only, like every value.
   */
  revokedAccessToken?: string;
}

/**
 * What the mapper makes, before the ledger keys are hashed: hashing both tokens is a row's largest cost,
 * and a run does it on its main thread, which waits for rows anyway (see `keyResult`).
 */
export interface UnkeyedPayload extends Omit<Payload, "key" | "refreshHash"> {
  /** The value the ledger key is the hash of: the legacy access token, or the probe of a row without one. */
  keyToken: string;
}

/** A refusal before its keys are hashed: its key is its probe token's hash, its refresh key this one's. */
export interface UnkeyedRefusal extends Omit<Refusal, "key" | "refreshHash"> {
  /** The row's refresh token, sent or not: a refusal's refresh key names it whatever befell the row. */
  refreshKeyToken?: string;
}

export type UnkeyedResult = UnkeyedPayload | UnkeyedRefusal;

/**
 * What a legacy row can hold that Authlete cannot: the issue time (Authlete records when the token was
 * created, i.e. migrated) and a refresh token's scopes broader than its access token's.
 */
export type NotCarried = "issue_time" | "broader_refresh_scopes";

/** A row that is not sent: skipped (expired, revoked) or rejected (bad or unmappable data). */
export interface Refusal {
  kind: "skipped" | "rejected";
  reason: ReasonCode;
  /** Ledger key when the row has a usable token, else null (the row is recorded by position). */
  key: string | null;
  refreshHash: string | null;
  column?: string;
  detail: string;
  /** Legacy client identifier, for the unmapped-clients table of the report. */
  legacyClient?: string;
  /** The token to introspect if an earlier run may have sent this row (in memory only). */
  probeToken?: string;
  /** The row's refresh token is revoked in the source: one migrated earlier must end at Authlete too. */
  refreshRevoked?: boolean;
  /** expired: when its access token expired (epoch ms), to tell an old export from a fresh one. */
  accessExpiredAt?: number;
  /** value_not_recoverable: until when the legacy server must keep validating it (epoch ms, null = never). */
  legacyExpiry?: { access: number | null; refresh: number | null };
}

export type MapResult = Payload | Refusal;

export interface MapContext {
  mapping: Mapping;
  /** Planning clock (ms): --now, or the wall clock. */
  now: number;
}

export type { SourceRow };
