import { claimColumns } from "./jwt.js";
import { dirname, resolve } from "node:path";
import { invalid, isRecord, onlyKeys } from "./mapping-checks.js";
import { grantType, parseClients } from "./client-map.js";
import { parseValidKeyIds } from "./key-id-settings.js";
import { parseRefreshTokenExpiry } from "./refresh-expiry.js";
import { isLoopback, reservedPropertyKeys } from "../shared/wire.js";
import { columnNames, type CreatableGrantType, type Mapping } from "./types.js";

const topLevelKeys = [
  "description",
  "columns",
  "clients",
  "clientsFile",
  "grantTypes",
  "defaultGrantType",
  "scopes",
  "time",
  "properties",
  "policy",
  "unrecoverable",
  "validKeyIds",
  "jwt",
  "refreshTokenExpiry",
  "revokesByDeleting",
  // A preset's export query per database, for people and the interop suite; not read by the mapper.
  "export",
  // A preset's settings that a file extending it must make (checked when it is loaded).
  "decide",
];

export function parseMapping(raw: unknown, file: string): Mapping {
  if (!isRecord(raw)) invalid(file, "must be a JSON object");
  onlyKeys(file, "the mapping", raw, topLevelKeys);
  if (!isRecord(raw.columns)) invalid(file, "columns is required and must be an object");
  onlyKeys(file, "columns", raw.columns, columnNames);
  for (const [name, column] of Object.entries(raw.columns)) {
    if (typeof column !== "string" || !column)
      invalid(file, `columns.${name} must be a non-empty column name`);
  }
  const jwt = parseJwt(raw.jwt, file);
  const columns = { ...(raw.columns as Mapping["columns"]) };
  // With jwt.claims, an unmapped column the claims can stand in for reads them (a synthetic column).
  if (jwt?.claims) for (const name of claimColumns) columns[name] ??= `$jwt.${name}`;
  if (!columns.accessToken) invalid(file, "columns.accessToken is required");
  if (columns.accessTokenExpiresIn && !columns.issuedAt) {
    invalid(file, "columns.accessTokenExpiresIn needs columns.issuedAt to count from");
  }
  if (columns.refreshTokenExpiresIn && !columns.issuedAt) {
    invalid(file, "columns.refreshTokenExpiresIn needs columns.issuedAt to count from");
  }
  if (!columns.accessTokenExpiresAt && !columns.accessTokenExpiresIn) {
    invalid(
      file,
      "map columns.accessTokenExpiresAt, or columns.accessTokenExpiresIn with columns.issuedAt: a token's expiry is never guessed",
    );
  }
  const clients = parseClients(raw, file);
  const refreshTokenExpiry = parseRefreshTokenExpiry(raw.refreshTokenExpiry, columns, file);
  if (raw.revokesByDeleting !== undefined && typeof raw.revokesByDeleting !== "boolean")
    invalid(file, "revokesByDeleting must be true or false");

  const grantTypes: Record<string, CreatableGrantType> = {};
  if (raw.grantTypes !== undefined) {
    if (!isRecord(raw.grantTypes))
      invalid(file, "grantTypes must be an object of legacy value → Authlete grant type");
    for (const [k, v] of Object.entries(raw.grantTypes))
      grantTypes[k] = grantType(file, `grantTypes.${k}`, v);
  }
  const defaultGrantType =
    raw.defaultGrantType === undefined
      ? "AUTHORIZATION_CODE"
      : grantType(file, "defaultGrantType", raw.defaultGrantType);

  const scopes = raw.scopes ?? {};
  if (!isRecord(scopes)) invalid(file, "scopes must be an object");
  onlyKeys(file, "scopes", scopes, ["separator", "map"]);
  const separator = scopes.separator ?? " ";
  if (![" ", ",", "|", "json"].includes(separator as string)) {
    invalid(file, `scopes.separator must be " ", ",", "|" or "json"; got ${JSON.stringify(separator)}`);
  }
  const scopeMap = scopes.map ?? {};
  if (!isRecord(scopeMap) || Object.values(scopeMap).some((v) => v !== null && typeof v !== "string")) {
    invalid(file, "scopes.map must map legacy scopes to a new scope or null");
  }

  const time = raw.time ?? {};
  if (!isRecord(time)) invalid(file, "time must be an object");
  onlyKeys(file, "time", time, ["timezone", "neverExpires", "notRevoked"]);
  const timezone = time.timezone ?? "UTC";
  if (typeof timezone !== "string" || !isTimeZone(timezone))
    invalid(file, `time.timezone is not an IANA time zone: ${JSON.stringify(timezone)}`);
  const valueList = (name: string, value: unknown, fallback: (string | null)[]) => {
    if (value === undefined) return fallback;
    if (!Array.isArray(value) || value.some((v) => v !== null && typeof v !== "string")) {
      invalid(file, `time.${name} must be an array of strings or null`);
    }
    return value as (string | null)[];
  };

  const properties = raw.properties ?? [];
  if (!Array.isArray(properties)) invalid(file, "properties must be an array of { key, column, hidden }");
  const normalisedProperties = properties.map((p, i) => {
    if (!isRecord(p) || typeof p.key !== "string" || typeof p.column !== "string") {
      invalid(file, `properties[${i}] must be { "key": string, "column": string, "hidden"?: boolean }`);
    }
    onlyKeys(file, `properties[${i}]`, p, ["key", "column", "hidden"]);
    // Authlete silently drops these keys; every row would lose the value, so the mapping is refused.
    if (reservedPropertyKeys.has(p.key))
      invalid(file, `properties[${i}].key ${JSON.stringify(p.key)} is reserved by Authlete`);
    return { key: p.key, column: p.column, hidden: p.hidden === true };
  });

  const policy = raw.policy ?? {};
  if (!isRecord(policy)) invalid(file, "policy must be an object");
  onlyKeys(file, "policy", policy, ["expiredAccessTokenWithLiveRefreshToken", "neverExpiringAccessToken"]);
  const refreshPolicy = policy.expiredAccessTokenWithLiveRefreshToken ?? "refresh-only";
  if (refreshPolicy !== "refresh-only" && refreshPolicy !== "skip") {
    invalid(
      file,
      `policy.expiredAccessTokenWithLiveRefreshToken must be "refresh-only" or "skip"; got ${JSON.stringify(refreshPolicy)}`,
    );
  }
  const neverPolicy = policy.neverExpiringAccessToken ?? "persistent";
  if (
    neverPolicy !== "persistent" &&
    !(typeof neverPolicy === "number" && Number.isInteger(neverPolicy) && neverPolicy > 0)
  ) {
    invalid(
      file,
      `policy.neverExpiringAccessToken must be "persistent" or a positive number of seconds; got ${JSON.stringify(neverPolicy)}`,
    );
  }

  return Object.freeze({
    ...unrecoverableAndKeyIds(raw, file),
    ...(jwt ? { jwt } : {}),
    ...(refreshTokenExpiry ? { refreshTokenExpiry } : {}),
    revokesByDeleting: raw.revokesByDeleting === true,
    columns: Object.freeze({ ...columns }),
    clients,
    grantTypes: Object.freeze(grantTypes),
    defaultGrantType,
    scopes: {
      separator: separator as Mapping["scopes"]["separator"],
      map: Object.freeze({ ...(scopeMap as Record<string, string | null>) }),
    },
    time: {
      timezone,
      neverExpires: valueList("neverExpires", time.neverExpires, []),
      notRevoked: valueList("notRevoked", time.notRevoked, [null, ""]),
    },
    properties: normalisedProperties,
    policy: {
      expiredAccessTokenWithLiveRefreshToken: refreshPolicy as "refresh-only" | "skip",
      neverExpiringAccessToken: neverPolicy as "persistent" | number,
    },
  });
}

function unrecoverableAndKeyIds(
  raw: Record<string, unknown>,
  file: string,
): Pick<Mapping, "unrecoverable" | "validKeyIds"> {
  const result: Pick<Mapping, "unrecoverable" | "validKeyIds"> = {};
  if (raw.unrecoverable !== undefined) {
    const u = raw.unrecoverable;
    if (!isRecord(u) || typeof u.stores !== "string")
      invalid(file, 'unrecoverable must be { "pattern"?, "empty"?, "stores" }');
    onlyKeys(file, "unrecoverable", u, ["pattern", "empty", "stores"]);
    let pattern: RegExp | undefined;
    try {
      pattern = typeof u.pattern === "string" ? new RegExp(u.pattern) : undefined;
    } catch {
      invalid(file, `unrecoverable.pattern is not a regular expression: ${JSON.stringify(u.pattern)}`);
    }
    result.unrecoverable = { pattern, empty: u.empty === true, stores: u.stores };
  }
  if (raw.validKeyIds !== undefined) result.validKeyIds = parseValidKeyIds(raw.validKeyIds, file);
  return result;
}

function parseJwt(value: unknown, file: string): Mapping["jwt"] {
  if (value === undefined) return undefined;
  if (!isRecord(value)) invalid(file, 'jwt must be { "claims"?: boolean, "jwks"?: file or loopback URL }');
  onlyKeys(file, "jwt", value, ["claims", "jwks"]);
  if (value.jwks !== undefined && typeof value.jwks !== "string")
    invalid(file, "jwt.jwks must be a file path or a URL");
  let jwks: { file: string } | { url: string } | undefined;
  if (typeof value.jwks === "string") {
    if (/^https?:/.test(value.jwks)) {
      const url = new URL(value.jwks);
      if (!isLoopback(url.hostname)) invalid(file, `jwt.jwks URL must be on loopback; got ${url.hostname}`);
      jwks = { url: url.href };
    } else jwks = { file: resolve(dirname(file), value.jwks) };
  }
  return { claims: value.claims === true, ...(jwks ? { jwks } : {}) };
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Every source column the mapping reads (top-level names of dotted paths), to check against a header. */
export function mappedColumns(mapping: Mapping): string[] {
  const paths = [
    ...Object.values(mapping.columns),
    ...mapping.properties.map((p) => p.column),
    mapping.validKeyIds?.column,
  ]
    .filter((p): p is string => typeof p === "string")
    .filter((p) => !p.startsWith("$jwt."))
    .map((p) => p.split("#")[0]!);
  return [...new Set(paths.filter((p): p is string => typeof p === "string"))];
}
