import { readFileSync } from "node:fs";
import { claimColumns } from "./jwt.js";
import { dirname, isAbsolute, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse as parseCsv } from "csv-parse/sync";
import { lineAudience, lineBaseUrl } from "../line/rules.js";
import { readFailure } from "../shared/text.js";
import { MigrateError } from "../shared/errors.js";
import { isLoopback, protectsCredentials } from "../shared/wire.js";
import {
  authleteGrantTypes,
  columnNames,
  type ClientTarget,
  type CreatableGrantType,
  type LineKeyIdQuery,
  type Mapping,
  type ValidKeyIds,
} from "./types.js";

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
];

const reservedPropertyKeys = [
  "access_token",
  "token_type",
  "expires_in",
  "refresh_token",
  "scope",
  "error",
  "error_description",
  "error_uri",
  "id_token",
];

function invalid(file: string, message: string): never {
  throw new MigrateError("mapping_invalid", `mapping ${file}: ${message}`, { file });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function onlyKeys(file: string, where: string, value: Record<string, unknown>, allowed: readonly string[]) {
  const unknown = Object.keys(value).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) {
    invalid(
      file,
      `${where} has unknown key(s) ${unknown.map((k) => JSON.stringify(k)).join(", ")}; allowed: ${allowed.join(", ")}`,
    );
  }
}

function grantType(file: string, where: string, value: unknown): CreatableGrantType {
  if (!authleteGrantTypes.includes(value as CreatableGrantType)) {
    invalid(file, `${where} must be one of ${authleteGrantTypes.join(", ")}; got ${JSON.stringify(value)}`);
  }
  return value as CreatableGrantType;
}

function clientTarget(file: string, where: string, value: unknown): ClientTarget {
  if (typeof value === "number" && Number.isSafeInteger(value) && value > 0) return { clientId: value };
  if (isRecord(value)) {
    onlyKeys(file, where, value, ["clientId", "grantType"]);
    const target = clientTarget(file, `${where}.clientId`, value.clientId);
    return value.grantType === undefined
      ? target
      : { ...target, grantType: grantType(file, `${where}.grantType`, value.grantType) };
  }
  return invalid(
    file,
    `${where} must be a positive integer Authlete client ID or { clientId, grantType }; got ${JSON.stringify(value)}`,
  );
}

function readClientsFile(file: string, clientsFile: string): Map<string, ClientTarget> {
  let rows: string[][];
  try {
    rows = parseCsv(readFileSync(clientsFile), {
      bom: true,
      skip_empty_lines: true,
      relax_column_count: true,
    });
  } catch (error) {
    return invalid(file, `clientsFile ${clientsFile} ${readFailure(error)}`);
  }
  const clients = new Map<string, ClientTarget>();
  rows.forEach((row, i) => {
    if (i === 0 && row[0] === "legacy_id") return;
    const [legacy, id, grant] = row;
    const where = `clientsFile ${clientsFile} line ${i + 1}`;
    if (!legacy || !id || !/^\d+$/.test(id))
      invalid(file, `${where}: expected legacy_id,client_id[,grant_type] with a numeric client_id`);
    clients.set(
      legacy,
      grant ? { clientId: Number(id), grantType: grantType(file, where, grant) } : { clientId: Number(id) },
    );
  });
  return clients;
}

/** Validates a parsed mapping document; `file` names it in errors and anchors relative paths. */
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
  if (raw.clients !== undefined && raw.clientsFile !== undefined)
    invalid(file, "give clients or clientsFile, not both");
  let clients: Map<string, ClientTarget> | undefined;
  if (raw.clients !== undefined) {
    if (!isRecord(raw.clients)) invalid(file, "clients must be an object of legacy id → Authlete client");
    clients = new Map(
      Object.entries(raw.clients).map(([k, v]) => [k, clientTarget(file, `clients.${k}`, v)]),
    );
  } else if (raw.clientsFile !== undefined) {
    if (typeof raw.clientsFile !== "string") invalid(file, "clientsFile must be a path");
    const path = resolve(dirname(file), raw.clientsFile);
    // The client map lives beside the mapping: a mapping never reaches for an arbitrary file.
    if (isAbsolute(raw.clientsFile) || relative(dirname(file), path).startsWith(".."))
      invalid(file, "clientsFile must be a path inside the mapping's directory");
    clients = readClientsFile(file, path);
  }

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
    if (reservedPropertyKeys.includes(p.key))
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

const validKeyIdsShape =
  'validKeyIds must be { "column": the key ID column, and "file": a saved {"kids": [...]} answer, ' +
  'or "line": { "channels": { channelId: { "privateKey": JWK file, "kid"? } }, "baseUrl"?, "audience"? } }';

function parseValidKeyIds(v: unknown, file: string): ValidKeyIds {
  if (!isRecord(v) || typeof v.column !== "string" || (v.file === undefined) === (v.line === undefined))
    invalid(file, validKeyIdsShape);
  onlyKeys(file, "validKeyIds", v, ["column", "file", "line"]);
  if (v.line !== undefined) return { column: v.column, issuer: parseLineQuery(v.line, file) };
  if (typeof v.file !== "string") invalid(file, validKeyIdsShape);
  let kids: unknown;
  try {
    kids = (JSON.parse(readFileSync(resolve(dirname(file), v.file), "utf8")) as { kids?: unknown }).kids;
  } catch (error) {
    invalid(file, `validKeyIds.file ${v.file} ${readFailure(error)}`);
  }
  if (!Array.isArray(kids) || kids.some((k) => typeof k !== "string"))
    invalid(file, `validKeyIds.file ${v.file} has no "kids" array of strings`);
  return { column: v.column, ids: new Set(kids as string[]) };
}

function parseLineQuery(line: unknown, file: string): LineKeyIdQuery {
  if (!isRecord(line) || !isRecord(line.channels) || Object.keys(line.channels).length === 0)
    invalid(file, validKeyIdsShape);
  onlyKeys(file, "validKeyIds.line", line, ["channels", "baseUrl", "audience"]);
  const baseUrl = line.baseUrl ?? lineBaseUrl;
  if (typeof baseUrl !== "string" || !URL.canParse(baseUrl))
    invalid(file, `validKeyIds.line.baseUrl is not a URL: ${JSON.stringify(baseUrl)}`);
  const url = new URL(baseUrl);
  // The assertion is a credential while it lives: plain HTTP only to this machine.
  if (!protectsCredentials(url))
    invalid(file, `validKeyIds.line.baseUrl must be https (or http on loopback); got ${url.origin}`);
  if (line.audience !== undefined && typeof line.audience !== "string")
    invalid(file, "validKeyIds.line.audience must be a string");
  const channels = new Map<string, { privateKeyFile: string; kid?: string }>();
  for (const [channelId, key] of Object.entries(line.channels)) {
    const where = `validKeyIds.line.channels.${channelId}`;
    if (
      !isRecord(key) ||
      typeof key.privateKey !== "string" ||
      !["string", "undefined"].includes(typeof key.kid)
    )
      invalid(file, `${where} must be { "privateKey": a private JWK file, "kid"?: its key ID }`);
    onlyKeys(file, where, key, ["privateKey", "kid"]);
    channels.set(channelId, {
      privateKeyFile: resolve(dirname(file), key.privateKey),
      ...(typeof key.kid === "string" ? { kid: key.kid } : {}),
    });
  }
  return { baseUrl: url.origin, audience: (line.audience as string | undefined) ?? lineAudience, channels };
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

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    return invalid(file, readFailure(error));
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return invalid(file, readFailure(error));
  }
  if (holdsProtoKey(parsed))
    invalid(
      file,
      'holds a "__proto__" key: no mapping has one, and merging it would change an object\'s prototype',
    );
  return parsed;
}

/** True when any object in a parsed JSON document has an own "__proto__" key (walked without recursion). */
function holdsProtoKey(value: unknown): boolean {
  const stack = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (typeof item !== "object" || item === null) continue;
    if (!Array.isArray(item) && Object.hasOwn(item, "__proto__")) return true;
    stack.push(...Object.values(item as Record<string, unknown>));
  }
  return false;
}

/** Preset mapping files shipped with the tool. */
export const presetNames = [
  "doorkeeper",
  "django-oauth-toolkit",
  "spring-authorization-server",
  "line-channel-access-token-v2.1",
];

function readPreset(name: string, from: string): Record<string, unknown> {
  if (!presetNames.includes(name))
    invalid(from, `unknown preset ${JSON.stringify(name)}; presets: ${presetNames.join(", ")}`);
  return readJson(fileURLToPath(new URL(`../../../presets/${name}.json`, import.meta.url))) as Record<
    string,
    unknown
  >;
}

/** A preset under the user's own keys: objects merge, everything else (arrays included) is replaced. */
function extend(base: Record<string, unknown>, own: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(own)) {
    const inner = base[key];
    merged[key] = isRecord(value) && isRecord(inner) && key !== "clients" ? extend(inner, value) : value;
  }
  return merged;
}

/**
 * Reads and validates a mapping (exit 2 on any problem, before a row is read): a file, `preset:NAME`,
 * or a file that `extends` a preset with its own keys (the client map is always the site's own).
 */
export function loadMapping(spec: string): Mapping {
  if (spec.startsWith("preset:")) return parseMapping(readPreset(spec.slice("preset:".length), spec), spec);
  const raw = readJson(spec);
  if (isRecord(raw) && raw.extends !== undefined) {
    if (typeof raw.extends !== "string") invalid(spec, "extends must name a preset");
    const { extends: name, ...own } = raw;
    return parseMapping(extend(readPreset(name as string, spec), own), spec);
  }
  return parseMapping(raw, spec);
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
