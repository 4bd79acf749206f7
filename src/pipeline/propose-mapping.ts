import { fieldValue, presetNames, readPreset, timeColumns, type ColumnName } from "../map/index.js";

/** What a look at a dump's first rows says a column holds. */
export type ColumnKind = "iso-with-zone" | "zone-less" | "epoch-s" | "epoch-ms" | "seconds" | "text";

/** A proposed mapping: the object to write, how it was found, and what the user must still decide. */
export interface Proposal {
  mapping: Record<string, unknown>;
  preset?: string;
  /** Each mapping column, the dump's column it reads, and for times what the values look like. */
  columns: { column: string; path: string; kind?: ColumnKind }[];
  /** The column holding the legacy client ID, if one was found. */
  clientColumn?: string;
  toDecide: string[];
}

const isoZone = /^\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d(:?\d\d)?)$/i;
const zoneLess = /^\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d+)?)?$/;

/** The kind of a column from its non-empty sample values (the first kind all of them fit). */
export function kindOf(values: readonly unknown[]): ColumnKind {
  const texts = values.filter((v) => v !== null && v !== undefined && v !== "").map(String);
  if (texts.length === 0) return "text";
  const all = (test: (t: string) => boolean) => texts.every(test);
  if (all((t) => isoZone.test(t))) return "iso-with-zone";
  if (all((t) => zoneLess.test(t))) return "zone-less";
  if (all((t) => /^\d+$/.test(t))) {
    const n = Math.max(...texts.map(Number));
    return n > 1e11 ? "epoch-ms" : n > 1e8 ? "epoch-s" : "seconds";
  }
  return "text";
}

/** Column names as exports usually spell them, per mapping column, best first. */
const namePatterns: [column: string, pattern: RegExp][] = [
  ["accessToken", /^(access_?token|token|token_value|access_token_value)$/i],
  ["refreshToken", /^refresh_?token(_value)?$/i],
  ["clientId", /^(client_?id|client|application_?(id|uid)|app_?id|registered_client_id|channel_id)$/i],
  ["subject", /^(subject|sub|user_?(id|name)?|username|resource_owner(_id)?|principal_name|account_?id)$/i],
  ["scopes", /^(scopes?|authorized_scopes|access_token_scopes)$/i],
  ["grantType", /^(grant_?type|authorization_grant_type)$/i],
  ["issuedAt", /^(issued_?at|created_?at|created|iat|access_token_issued_at)$/i],
  ["accessTokenExpiresAt", /^(expires?_?at|expires|expiry|expiration|exp|access_token_expires_at)$/i],
  ["accessTokenExpiresIn", /^(expires_?in|ttl|lifetime)$/i],
  ["refreshTokenExpiresAt", /^(refresh_?(token_)?expires?_?at|refresh_expires|refresh_token_expires_at)$/i],
  ["revokedAt", /^(revoked(_?at)?|revocation_?(time|date))$/i],
];

/** A shipped preset whose every mapped column the rows hold (the one mapping the most, if several). */
function recognisedPreset(rows: readonly Record<string, unknown>[]): string | undefined {
  let best: { name: string; size: number } | undefined;
  for (const name of presetNames) {
    const columns = Object.values((readPreset(name, name).columns ?? {}) as Record<string, string>);
    const held = columns.every((path) => rows.some((row) => fieldValue(row, path) !== undefined));
    if (held && columns.length > (best?.size ?? 0)) best = { name, size: columns.length };
  }
  return best?.name;
}

/** The scope separator the values use: a JSON array, commas, pipes or spaces. */
function separatorOf(values: readonly unknown[]): string {
  const texts = values.filter((v) => typeof v === "string" && v !== "") as string[];
  if (texts.some((t) => t.startsWith("["))) return "json";
  if (texts.some((t) => t.includes(","))) return ",";
  if (texts.some((t) => t.includes("|"))) return "|";
  return " ";
}

/**
 * A first mapping for a dump, from its first rows: a shipped preset when the rows hold every column it
 * maps, else columns matched by name, with the time kinds and scope separator the values show. The
 * client map is a template beside it (`clients.csv`). Pure: reading and writing are the caller's.
 */
export function proposeMapping(rows: readonly Record<string, unknown>[], wanted = "auto"): Proposal {
  const sample = (path: string) => rows.map((row) => fieldValue(row, path));
  const preset = wanted === "auto" ? recognisedPreset(rows) : wanted === "none" ? undefined : wanted;
  const toDecide: string[] = [
    "clients.csv: the Authlete client ID for each legacy client ID (rows stay client_unknown until then)",
  ];
  const described = (columns: Record<string, string>) =>
    Object.entries(columns).map(([column, path]) => ({
      column,
      path,
      ...(timeColumns.has(column as ColumnName) ? { kind: kindOf(sample(path)) } : {}),
    }));
  if (preset) {
    const base = readPreset(preset, preset);
    const columns = (base.columns ?? {}) as Record<string, string>;
    const mapping: Record<string, unknown> = { extends: preset, clientsFile: "clients.csv" };
    const zoneLess = described(columns).filter((c) => c.kind === "zone-less");
    if (zoneLess.length > 0 && !("time.timezone" in ((base.decide ?? {}) as object)))
      toDecide.push(
        `time.timezone (the preset's is ${JSON.stringify((base.time as { timezone?: string } | undefined)?.timezone ?? "UTC")}): ${zoneLess.map((c) => c.path).join(", ")} carry no zone`,
      );
    for (const [key, hint] of Object.entries((base.decide ?? {}) as Record<string, string>)) {
      const [section, field] = key.split(".") as [string, string];
      mapping[section] = { ...((mapping[section] as object) ?? {}), [field]: "UTC" };
      toDecide.push(`${key} (set to "UTC" for now): ${hint}`);
    }
    if (
      columns.refreshToken &&
      !columns.refreshTokenExpiresAt &&
      !columns.refreshTokenExpiresIn &&
      !base.refreshTokenExpiry
    ) {
      mapping.refreshTokenExpiry = "service-default";
      toDecide.push(
        "refreshTokenExpiry (set to \"service-default\" for now): the legacy server's refresh lifetime, see the preset's description",
      );
    }
    return { mapping, preset, columns: described(columns), clientColumn: columns.clientId, toDecide };
  }
  const header = Object.keys(rows[0] ?? {});
  const columns: Record<string, string> = {};
  for (const [column, pattern] of namePatterns) {
    const found = header.find((name) => pattern.test(name) && !Object.values(columns).includes(name));
    if (found) columns[column] = found;
  }
  const kinds = Object.fromEntries(described(columns).map((c) => [c.path, c.kind]));
  // A duration needs the issue time it counts from; an absolute expiry does not.
  if (columns.accessTokenExpiresAt || !columns.issuedAt) delete columns.accessTokenExpiresIn;
  const mapping: Record<string, unknown> = { columns, clientsFile: "clients.csv" };
  if (columns.scopes) mapping.scopes = { separator: separatorOf(sample(columns.scopes)) };
  // RFC 6749's grant type names as exports write them; a value not listed is grant_type_unknown.
  if (columns.grantType)
    mapping.grantTypes = {
      authorization_code: "AUTHORIZATION_CODE",
      client_credentials: "CLIENT_CREDENTIALS",
      password: "PASSWORD",
      implicit: "IMPLICIT",
      "urn:ietf:params:oauth:grant-type:device_code": "DEVICE_CODE",
    };
  if (Object.values(columns).some((path) => kinds[path] === "zone-less")) {
    mapping.time = { timezone: "UTC" };
    toDecide.push('time.timezone (set to "UTC" for now): the zone the zone-less timestamps were written in');
  }
  if (columns.refreshToken && !columns.refreshTokenExpiresAt) {
    mapping.refreshTokenExpiry = "service-default";
    toDecide.push(
      'refreshTokenExpiry (set to "service-default" for now): the legacy refresh lifetime, a column or {"after": …, "seconds": N}',
    );
  }
  for (const needed of ["accessToken", "clientId"])
    if (!columns[needed]) toDecide.push(`columns.${needed}: no column looks like it; name it`);
  if (!columns.accessTokenExpiresAt && !columns.accessTokenExpiresIn)
    toDecide.push("columns.accessTokenExpiresAt: no expiry column found; a token's expiry is never guessed");
  return { mapping, columns: described(columns), clientColumn: columns.clientId, toDecide };
}
