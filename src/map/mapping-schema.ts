import { z } from "zod";
import { reservedPropertyKeys } from "../shared/wire.js";
import { MigrateError } from "../shared/errors.js";
import {
  authleteGrantTypes,
  columnNames,
  revocationColumns,
  type ColumnName,
  type RevocationColumn,
} from "./columns.js";

const isTimeZone = (zone: string) => {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};
const isRegExp = (source: string) => {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
};
const shown = (value: unknown) => JSON.stringify(value);
const valueList = z.array(z.string().nullable());
/**
 * Sentinel values: one list for every column, or per source column (`{"expires_in": ["0"]}`) with `"*"`
 * for the rest. A column's values are the `"*"` list and its own (normalised to that object).
 */
const sentinels = (fallback: (string | null)[]) =>
  z
    .union([valueList, z.record(z.string().min(1), valueList)])
    .default(fallback)
    .transform((value) => (Array.isArray(value) ? { "*": value } : { "*": fallback, ...value }));
/** A revocation column, or several: the row (or token) ends at the earliest of them. */
const columnList = z
  .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
  .transform((value) => (Array.isArray(value) ? value : [value]));
/** A computed expiry: the issue time (or the access expiry) plus a constant and/or F × a duration column. */
const computedExpiry = <A extends [string, ...string[]]>(after: A, seconds: z.ZodInt) =>
  z
    .strictObject({
      after: z.enum(after),
      seconds: seconds.optional(),
      column: z.string().min(1).optional(),
      factor: z.number().positive().default(1),
    })
    .refine((e) => e.seconds !== undefined || e.column !== undefined, {
      error: "needs seconds, a column, or both",
    });
const creatableGrantType = z.enum(authleteGrantTypes);

/**
 * The shape of a mapping file, from which the normalised sections of `Mapping` are derived. Rules
 * between fields (an expiry column, the issue time a duration counts from) are checked after it.
 */
export const mappingSchema = z.strictObject({
  description: z.string().optional(),
  columns: z.strictObject(
    Object.fromEntries(
      columnNames.map((name) => [
        name,
        ((revocationColumns as readonly string[]).includes(name) ? columnList : z.string().min(1)).optional(),
      ]),
    ) as Record<Exclude<ColumnName, RevocationColumn>, z.ZodOptional<z.ZodString>> &
      Record<RevocationColumn, z.ZodOptional<typeof columnList>>,
  ),
  /**
   * Source columns the mapping reads on purpose for nothing. Without a preset, every column of the
   * source must be mapped or listed here: a column nobody looked at may be the one that says "revoked".
   */
  ignore: z.array(z.string().min(1)).optional(),
  clients: z.record(z.string(), z.unknown()).optional(),
  clientsFile: z.string().min(1).optional(),
  grantTypes: z.record(z.string(), creatableGrantType).default({}),
  // null: no default; each client (clients file) or row (column) must say its grant type.
  defaultGrantType: creatableGrantType.nullable().default("AUTHORIZATION_CODE"),
  scopes: z
    .strictObject({
      separator: z.enum([" ", ",", "|", "json"]).default(" "),
      map: z.record(z.string(), z.string().nullable()).default({}),
      /** Scopes for a row that has none (a constant: a dump without a scope column). */
      default: z.array(z.string().min(1)).optional(),
    })
    .default({ separator: " ", map: {} }),
  time: z
    .strictObject({
      timezone: z
        .string()
        .refine(isTimeZone, { error: (issue) => `is not an IANA time zone: ${shown(issue.input)}` })
        .default("UTC"),
      neverExpires: sentinels([]),
      notRevoked: sentinels([null, ""]),
      // Values that mean "revoked" in a column of words (`status = 'revoked'`, Hydra's `active = f`).
      revoked: sentinels([]),
    })
    .default({
      timezone: "UTC",
      neverExpires: { "*": [] },
      notRevoked: { "*": [null, ""] },
      revoked: { "*": [] },
    }),
  properties: z
    .array(
      z.strictObject({
        // Authlete silently drops these keys; every row would lose the value, so the mapping is refused.
        key: z.string().refine((key) => !reservedPropertyKeys.has(key), {
          error: (issue) => `${shown(issue.input)} is reserved by Authlete`,
        }),
        column: z.string().min(1),
        hidden: z.boolean().default(false),
      }),
    )
    .default([]),
  policy: z
    .strictObject({
      expiredAccessTokenWithLiveRefreshToken: z.enum(["refresh-only", "skip"]).default("refresh-only"),
      neverExpiringAccessToken: z.union([z.literal("persistent"), z.int().positive()]).default("persistent"),
    })
    .default({
      expiredAccessTokenWithLiveRefreshToken: "refresh-only",
      neverExpiringAccessToken: "persistent",
    }),
  unrecoverable: z
    .strictObject({
      pattern: z
        .string()
        .refine(isRegExp, { error: (issue) => `is not a regular expression: ${shown(issue.input)}` })
        .optional(),
      empty: z.boolean().default(false),
      stores: z.string().min(1),
    })
    .optional(),
  validKeyIds: z.unknown().optional(),
  jwt: z.strictObject({ claims: z.boolean().default(false), jwks: z.string().min(1).optional() }).optional(),
  // A computed access expiry: the issue time plus a constant and/or a factor times a duration column.
  accessTokenExpiry: computedExpiry(["issuedAt"], z.int().positive()).optional(),
  // seconds 0 after the access expiry: the refresh token ends with its access token (init's safe default).
  refreshTokenExpiry: z
    .union([
      z.literal("service-default"),
      computedExpiry(["accessTokenExpiresAt", "issuedAt"], z.int().nonnegative()),
    ])
    .optional(),
  revokesByDeleting: z.boolean().default(false),
  // A preset's export query per database, for people and the interop suite; not read by the mapper.
  export: z.record(z.string(), z.string()).optional(),
  // A preset's settings that a file extending it must make (checked when it is loaded).
  decide: z.record(z.string(), z.string()).optional(),
});

export type MappingShape = z.output<typeof mappingSchema>;

/** Where in the file a problem is: `properties[0].key`. */
function pathOf(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : `${i ? "." : ""}${String(p)}`)).join("");
}

/** The keys an object of the schema takes at `path` (defaults, optionals and arrays looked through). */
function allowedAt(path: readonly PropertyKey[]): string[] {
  let schema: z.ZodType = mappingSchema;
  for (const step of [...path, undefined]) {
    for (;;) {
      if (schema instanceof z.ZodDefault || schema instanceof z.ZodOptional)
        schema = schema.unwrap() as z.ZodType;
      else if (schema instanceof z.ZodArray) schema = schema.element as z.ZodType;
      else break;
    }
    if (step === undefined || typeof step === "number") continue;
    if (!(schema instanceof z.ZodObject)) return [];
    schema = (schema.shape as Record<string, z.ZodType>)[String(step)]!;
  }
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
}

/** One zod issue in the words of a person fixing the file: the field, what it must be, what it was. */
function describe(issue: z.core.$ZodIssue): string {
  const at = pathOf(issue.path) || "the mapping";
  switch (issue.code) {
    case "unrecognized_keys":
      return `${at} has unknown key(s) ${issue.keys.map(shown).join(", ")}; allowed: ${allowedAt(issue.path).join(", ")}`;
    case "invalid_value":
      return `${at} must be one of ${issue.values.map((v) => (typeof v === "string" ? v : shown(v))).join(", ")}; got ${shown(issue.input)}`;
    case "invalid_type":
      return issue.input === undefined
        ? `${at} is required`
        : `${at} must be ${issue.expected === "int" ? "a whole number" : `a(n) ${issue.expected}`}; got ${shown(issue.input)}`;
    case "too_small":
      return `${at} must be ${issue.origin === "string" ? "non-empty" : issue.origin === "array" ? "a non-empty list" : issue.minimum === 0 ? "0 or more" : "positive"}; got ${shown(issue.input)}`;
    default:
      return `${at} ${issue.message}`;
  }
}

/** Checks a plain object against the schema: its normalised shape, or a `mapping_invalid` naming the field. */
export function checkShape(raw: unknown, file: string): MappingShape {
  const parsed = mappingSchema.safeParse(raw, { reportInput: true });
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const path = pathOf(issue.path);
  throw new MigrateError("mapping_invalid", `mapping ${file}: ${describe(issue)}`, { file, field: path });
}
