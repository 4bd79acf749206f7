import { fieldValue } from "../map/index.js";
import {
  columnEvidence,
  described,
  holdsTimes,
  mayDecideLife,
  type ColumnEvidence,
} from "./column-evidence.js";
import type { Proposal } from "./types.js";

/** Column names as exports usually spell them, per mapping column, best first. */
const namePatterns: [column: string, pattern: RegExp][] = [
  ["accessToken", /^(access_?token|token|token_value|access_token_value)$/i],
  ["refreshToken", /^refresh_?token(_value)?$/i],
  ["clientId", /^(client_?id|client|application_?(id|uid)|app_?id|registered_client_id|channel_id)$/i],
  ["subject", /^(subject|sub|user_?(id|name)?|username|resource_owner(_id)?|principal_name|account_?id)$/i],
  ["scopes", /^(scopes?|authorized_scopes|access_token_scopes)$/i],
  ["grantType", /^(grant_?type|authorization_grant_type)$/i],
  ["issuedAt", /^(issued_?(at|on)|created_?(at|on)|created|iat|access_token_issued_at)$/i],
  [
    "accessTokenExpiresAt",
    /^(access_?token_?)?(expires?_?(at|on)|expires|expiry|expiration|exp|valid_?until)$/i,
  ],
  ["accessTokenExpiresIn", /^(access_?token_?)?(expires_?in|ttl|lifetime)$/i],
  [
    "refreshTokenExpiresAt",
    /^refresh_?(token_?)?(expires?_?(at|on)|expires|expiry|expiration|valid_?until)$/i,
  ],
  ["refreshTokenExpiresIn", /^refresh_?(token_?)?(expires_?in|ttl|lifetime)$/i],
];
const revocationName = /revok|revocation/i;
/** The zone that reads every zone-less time at its earliest instant: no token outlives its legacy expiry. */
const earliestZone = "Etc/GMT-14";

/** The scope separator the values use: a JSON array, commas, pipes or spaces. */
function separatorOf(values: readonly unknown[]): string {
  const texts = values.filter((v) => typeof v === "string" && v !== "") as string[];
  if (texts.some((t) => t.startsWith("["))) return "json";
  if (texts.some((t) => t.includes(","))) return ",";
  if (texts.some((t) => t.includes("|"))) return "|";
  return " ";
}

/**
 * The distinct values of a column of a few short words (a status, a flag), to show: a column with many
 * values or long ones may hold anything, tokens included, and is never quoted.
 */
function fewWords(rows: readonly Record<string, unknown>[], name: string): string[] | undefined {
  const values = new Set<string>();
  for (const row of rows) {
    const value = fieldValue(row, name);
    if (value === null || value === undefined || value === "") continue;
    const text = String(value);
    if (text.length > 16 || !/^[\w .:-]*$/.test(text)) return undefined;
    values.add(text);
    if (values.size > 6) return undefined;
  }
  return values.size ? [...values] : undefined;
}

/** The source columns of the rows, in the order they first appear. */
function headerOf(rows: readonly Record<string, unknown>[]): string[] {
  const names = new Set<string>();
  for (const row of rows) for (const key of Object.keys(row)) names.add(key);
  return [...names];
}

/**
 * A mapping by column names and values for a dump no preset knows, failing closed: every column is
 * mapped, ignored (nothing in it decides a token's life) or left for the user, who must decide it before
 * the mapping runs; what init cannot know is set to the reading under which no token outlives its legacy
 * life, and listed first.
 */
export function proposeColumns(rows: readonly Record<string, unknown>[], toDecide: string[]): Proposal {
  const header = headerOf(rows);
  const evidence = new Map(header.map((name) => [name, columnEvidence(rows, name)]));
  const seen = (name: string) => evidence.get(name)!;
  const columns: Record<string, string> = {};
  const used = new Set<string>();
  for (const [column, pattern] of namePatterns) {
    const found = header.find((name) => pattern.test(name) && !used.has(name));
    if (found) {
      columns[column] = found;
      used.add(found);
    }
  }
  // A duration needs the issue time it counts from; an absolute expiry does not.
  for (const [at, within] of [
    ["accessTokenExpiresAt", "accessTokenExpiresIn"],
    ["refreshTokenExpiresAt", "refreshTokenExpiresIn"],
  ] as const)
    if (columns[within] && (columns[at] || !columns.issuedAt)) {
      used.delete(columns[within]);
      delete columns[within];
    }
  const revocations = header.filter((name) => revocationName.test(name) && !used.has(name));
  for (const name of revocations) used.add(name);

  const first: string[] = [];
  const mapping: Record<string, unknown> = {
    columns: {
      ...columns,
      ...(revocations.length ? { revokedAt: revocations.length === 1 ? revocations[0] : revocations } : {}),
    },
    clientsFile: "clients.csv",
  };
  const time: Record<string, unknown> = {};
  // 0 in a revocation column is "never revoked" (Authlib writes 0 until a token is revoked).
  const zeroRevocations = revocations.filter((name) => seen(name).zero > 0);
  if (zeroRevocations.length)
    time.notRevoked = Object.fromEntries(zeroRevocations.map((name) => [name, ["0"]]));
  // Names that say which token they revoke: whether the other lives on is the server's rule, not theirs.
  if (revocations.some((name) => /access|refresh/i.test(name)))
    first.push(
      `columns.revokedAt lists ${revocations.join(", ")}: a time in any of them ends the whole row (the safe reading). If your server still refreshes a refresh token whose access token alone was revoked (Authlib's revocation with token_type_hint=access_token), move that column to columns.accessTokenRevokedAt; one that ends only the refresh token (the access token lives on) to columns.refreshTokenRevokedAt`,
    );
  for (const column of [
    "accessTokenExpiresAt",
    "accessTokenExpiresIn",
    "refreshTokenExpiresAt",
    "refreshTokenExpiresIn",
  ]) {
    const name = columns[column];
    if (!name) continue;
    const e = seen(name);
    if (e.zero > 0)
      first.push(
        `${name} holds 0 (${described(e)}): if 0 means "never expires" there (Authlib's expires_in), add time.neverExpires {"${name}": ["0"]}; as written such rows are skipped as expired`,
      );
    if (e.empty > 0 && column.startsWith("access"))
      first.push(
        `${name} is empty (${described(e)}): if empty means "never expires", add time.neverExpires {"${name}": [null]}; as written such rows are rejected expiry_missing`,
      );
  }
  // Every other column: ignored when nothing in it can decide a token's life, else left to the user.
  const ignored: string[] = [];
  const undecided: ColumnEvidence[] = [];
  for (const name of header) {
    if (used.has(name)) continue;
    const e = seen(name);
    if (mayDecideLife(e) || holdsTimes(e)) undecided.push(e);
    else ignored.push(name);
  }
  mapping.ignore = ignored;
  for (const e of undecided) {
    const words = fewWords(rows, e.name);
    first.unshift(
      `column ${JSON.stringify(e.name)} (${described(e)}${words ? `; its values: ${words.map((w) => JSON.stringify(w)).join(", ")}` : ""}) may say whether a token is alive: it is neither mapped nor ignored, so the mapping refuses to run until you decide — map it (columns.revokedAt, accessTokenExpiresAt, …; a column of words as columns.revokedAt with time.notRevoked {"${e.name}": [the live values]} and time.revoked {"${e.name}": [the dead ones]}) or add it to "ignore" if it decides nothing`,
    );
  }

  const kinds = Object.fromEntries([...used].map((name) => [name, seen(name).kind]));
  if ([...used].some((name) => kinds[name] === "zone-less")) {
    time.timezone = earliestZone;
    first.push(
      `time.timezone (set to "${earliestZone}", UTC+14, for now): the zone the zone-less times were written in. Read at their earliest, no token outlives its legacy expiry, but each loses up to 14 h of life until you set it`,
    );
  }
  if (Object.keys(time).length) mapping.time = time;
  if (columns.scopes)
    mapping.scopes = { separator: separatorOf(rows.map((r) => fieldValue(r, columns.scopes!))) };
  const hasAccessExpiry = Boolean(columns.accessTokenExpiresAt || columns.accessTokenExpiresIn);
  if (
    columns.refreshToken &&
    !columns.refreshTokenExpiresAt &&
    !columns.refreshTokenExpiresIn &&
    hasAccessExpiry
  ) {
    mapping.refreshTokenExpiry = { after: "accessTokenExpiresAt", seconds: 0 };
    first.push(
      `refreshTokenExpiry (set for now to end each refresh token with its access token: no column holds its expiry): the legacy server's rule, e.g. {"after": "accessTokenExpiresAt", "seconds": N}${columns.accessTokenExpiresIn ? `, or {"after": "issuedAt", "column": "${columns.accessTokenExpiresIn}", "factor": 2} for a refresh token living twice the access lifetime (Authlib's example server)` : ""}, or "service-default"`,
    );
  }
  // RFC 6749's grant type names as exports write them; a value not listed is grant_type_unknown.
  const grantTypePerClient = !columns.grantType;
  if (columns.grantType) {
    const known: Record<string, string> = {
      authorization_code: "AUTHORIZATION_CODE",
      client_credentials: "CLIENT_CREDENTIALS",
      password: "PASSWORD",
      implicit: "IMPLICIT",
      "urn:ietf:params:oauth:grant-type:device_code": "DEVICE_CODE",
    };
    mapping.grantTypes = known;
    // Values the map does not name: their rows would be rejected grant_type_unknown until it does.
    const unnamed = new Set(
      rows
        .map((r) => fieldValue(r, columns.grantType!))
        .filter((v): v is string => typeof v === "string" && v !== "" && !(v in known)),
    );
    if (unnamed.size)
      first.push(
        `grantTypes: ${[...unnamed]
          .slice(0, 10)
          .map((v) => JSON.stringify(v))
          .join(
            ", ",
          )} in ${columns.grantType} ${unnamed.size === 1 ? "is" : "are"} not mapped to an Authlete grant type (such rows are rejected grant_type_unknown)`,
      );
  } else {
    mapping.defaultGrantType = null;
    toDecide.push(
      "clients.csv grant_type: no column holds the grant type, so each filled client line needs one (AUTHORIZATION_CODE, PASSWORD, CLIENT_CREDENTIALS, …); clients none of whose rows has a subject are proposed as CLIENT_CREDENTIALS",
    );
  }
  for (const needed of ["accessToken", "clientId"])
    if (!columns[needed]) first.push(`columns.${needed}: no column looks like it; name it`);
  if (!hasAccessExpiry)
    first.push("columns.accessTokenExpiresAt: no expiry column found; a token's expiry is never guessed");
  return {
    mapping,
    columns: Object.entries({
      ...columns,
      ...Object.fromEntries(
        revocations.map((r, i) => [`revokedAt${revocations.length > 1 ? `[${i}]` : ""}`, r]),
      ),
    }).map(([column, path]) => ({
      column,
      path,
      ...(/(At|In)(\[\d+\])?$/.test(column) ? { kind: kinds[path] } : {}),
    })),
    ignored,
    undecided: undecided.map((e) => e.name),
    clientColumn: columns.clientId,
    subjectColumn: columns.subject,
    grantTypePerClient,
    toDecide: [...first, ...toDecide],
  };
}
