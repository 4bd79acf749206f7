import { claimColumns } from "./jwt.js";
import { dirname, resolve } from "node:path";
import { invalid } from "./mapping-checks.js";
import { parseClients } from "./client-map.js";
import { parseValidKeyIds } from "./key-id-settings.js";
import { checkShape, type MappingShape } from "./mapping-schema.js";
import { checkRefreshTokenExpiry } from "./refresh-expiry.js";
import { isLoopback } from "../shared/wire.js";
import { revocationColumns, type ClientTarget, type Mapping, type RevocationColumn } from "./types.js";

/** What the files a mapping names hold, read by the loader so that validating stays pure. */
export interface ReferencedFiles {
  /** The clients CSV (`clientsFile`). */
  clients?: Map<string, ClientTarget>;
  /** The saved key-ID answer's `kids` (`validKeyIds.file`). */
  kids?: unknown;
}

/**
 * Validates a plain mapping object (loading files, presets and `extends` is load-mapping.ts's): its
 * shape against the schema, then the rules between fields. Frozen, defaults filled.
 */
export function parseMapping(
  raw: unknown,
  file: string,
  referenced: ReferencedFiles = {},
  options: { accountColumns?: boolean } = {},
): Mapping {
  const shape = checkShape(raw, file);
  const jwt = parseJwt(shape.jwt, file);
  const revocations = Object.fromEntries(
    revocationColumns.map((name) => [name, shape.columns[name] ?? []]),
  ) as Record<RevocationColumn, string[]>;
  // One path per column here (a revocation list names its first); the lists are in `revocations`.
  const single: Record<string, unknown> = { ...shape.columns };
  for (const name of revocationColumns) delete single[name];
  const columns: Mapping["columns"] = {
    ...(single as Omit<Mapping["columns"], "accessToken">),
    ...Object.fromEntries(
      revocationColumns.flatMap((name) => (revocations[name].length ? [[name, revocations[name][0]]] : [])),
    ),
    accessToken: shape.columns.accessToken ?? "",
  };
  // With jwt.claims, an unmapped column the claims can stand in for reads them (a synthetic column).
  if (jwt?.claims) for (const name of claimColumns) columns[name] ??= `$jwt.${name}`;
  if (!columns.accessToken) invalid(file, "columns.accessToken is required", "columns.accessToken");
  for (const duration of ["accessTokenExpiresIn", "refreshTokenExpiresIn"] as const)
    if (columns[duration] && !columns.issuedAt)
      invalid(file, `columns.${duration} needs columns.issuedAt to count from`, `columns.${duration}`);
  if (shape.accessTokenExpiry && (columns.accessTokenExpiresAt || columns.accessTokenExpiresIn))
    invalid(file, "give accessTokenExpiry or an access expiry column, not both", "accessTokenExpiry");
  if (shape.accessTokenExpiry && !columns.issuedAt)
    invalid(file, 'accessTokenExpiry.after "issuedAt" needs columns.issuedAt', "accessTokenExpiry.after");
  if (!columns.accessTokenExpiresAt && !columns.accessTokenExpiresIn && !shape.accessTokenExpiry) {
    invalid(
      file,
      "map columns.accessTokenExpiresAt, or columns.accessTokenExpiresIn with columns.issuedAt, or compute it with accessTokenExpiry: a token's expiry is never guessed",
      "columns",
    );
  }
  const refreshTokenExpiry = checkRefreshTokenExpiry(shape.refreshTokenExpiry, columns, file);
  const clients = parseClients(shape, file, referenced.clients);
  checkGrantTypes(shape, columns, clients, file);
  // A preset knows its server's columns; any other mapping accounts for every column it is given.
  const ignore = shape.ignore ?? (options.accountColumns ? [] : undefined);
  const u = shape.unrecoverable;
  return Object.freeze({
    ...(u
      ? {
          unrecoverable: {
            pattern: u.pattern ? new RegExp(u.pattern) : undefined,
            empty: u.empty,
            stores: u.stores,
          },
        }
      : {}),
    ...(shape.validKeyIds === undefined
      ? {}
      : { validKeyIds: parseValidKeyIds(shape.validKeyIds, file, referenced.kids) }),
    ...(jwt ? { jwt } : {}),
    ...(refreshTokenExpiry ? { refreshTokenExpiry } : {}),
    ...(shape.accessTokenExpiry ? { accessTokenExpiry: shape.accessTokenExpiry } : {}),
    ...(shape.export?.postgresql ? { exportQuery: shape.export.postgresql } : {}),
    revokesByDeleting: shape.revokesByDeleting,
    columns: Object.freeze(columns),
    revocations: Object.freeze(revocations),
    ...(ignore ? { ignore: Object.freeze([...ignore]) } : {}),
    clients,
    grantTypes: Object.freeze(shape.grantTypes),
    defaultGrantType: shape.defaultGrantType,
    scopes: { ...shape.scopes, map: Object.freeze(shape.scopes.map) },
    time: shape.time,
    properties: shape.properties,
    policy: shape.policy,
  });
}

function parseJwt(value: MappingShape["jwt"], file: string): Mapping["jwt"] {
  if (value === undefined) return undefined;
  let jwks: { file: string } | { url: string } | undefined;
  if (value.jwks !== undefined) {
    if (/^https?:/.test(value.jwks)) {
      const url = new URL(value.jwks);
      if (!isLoopback(url.hostname))
        invalid(file, `jwt.jwks URL must be on loopback; got ${url.hostname}`, "jwt.jwks");
      jwks = { url: url.href };
    } else jwks = { file: resolve(dirname(file), value.jwks) };
  }
  return { claims: value.claims, ...(jwks ? { jwks } : {}) };
}

/**
 * Without a default grant type, a client that the clients file maps must say its grant type, unless a
 * column does: a password or client-credentials token must not go in as an authorization-code one.
 */
function checkGrantTypes(
  shape: MappingShape,
  columns: Mapping["columns"],
  clients: Map<string, ClientTarget> | undefined,
  file: string,
): void {
  if (shape.defaultGrantType !== null || columns.grantType) return;
  if (!clients)
    invalid(
      file,
      "defaultGrantType is null: a grant type column or a client map must give it",
      "defaultGrantType",
    );
  const without = [...clients].filter(([, target]) => target.grantType === undefined);
  if (without.length > 0)
    invalid(
      file,
      `defaultGrantType is null and no column holds the grant type: give the grant_type of legacy client(s) ${without
        .slice(0, 5)
        .map(([legacy]) => JSON.stringify(legacy))
        .join(
          ", ",
        )}${without.length > 5 ? ` and ${without.length - 5} more` : ""} in ${shape.clientsFile ?? "clients"}`,
      "defaultGrantType",
    );
}

/** Every source column the mapping reads (top-level names of dotted paths), to check against a header. */
export function mappedColumns(mapping: Mapping): string[] {
  const refreshRule = mapping.refreshTokenExpiry;
  const paths = [
    ...Object.values(mapping.columns),
    ...Object.values(mapping.revocations).flat(),
    ...mapping.properties.map((p) => p.column),
    mapping.accessTokenExpiry?.column,
    typeof refreshRule === "object" ? refreshRule.column : undefined,
    mapping.validKeyIds?.column,
  ]
    .filter((p): p is string => typeof p === "string")
    .filter((p) => !p.startsWith("$jwt."))
    .map((p) => p.split("#")[0]!);
  return [...new Set(paths.filter((p): p is string => typeof p === "string"))];
}

/** The source columns a mapping accounts for: the top-level names it reads and the ones it ignores. */
export function accountedColumns(mapping: Mapping): Set<string> {
  const names = new Set(mapping.ignore ?? []);
  for (const path of mappedColumns(mapping)) {
    names.add(path);
    names.add(path.split(".")[0]!);
  }
  return names;
}
