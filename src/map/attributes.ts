import type { AuthorizationDetailsElement, TokenCreateRequest } from "@authlete/typescript-sdk/models";
import { fieldValue, isAbsent } from "./fields.js";
import { mapScopes } from "./scopes.js";
import { parseInstant } from "./time.js";
import type { ColumnName, Mapping, NotCarried } from "./types.js";

/** The optional attributes of /auth/token/create a row can carry besides its tokens. */
export type Attributes = Pick<
  TokenCreateRequest,
  "resources" | "acr" | "authTime" | "authorizationDetails" | "clientIdAliasUsed" | "sessionId"
>;

type Read = { attributes: Attributes; notCarried: NotCarried[] } | { invalid: ColumnName; detail: string };

const knownDetailKeys = ["type", "locations", "actions", "dataTypes", "identifier", "privileges"] as const;

function value(fields: Record<string, unknown>, mapping: Mapping, column: ColumnName): unknown {
  const path = mapping.columns[column];
  const v = path ? fieldValue(fields, path) : undefined;
  return isAbsent(v) || v === "" ? undefined : v;
}

/** A list column: a JSON array, or text separated by spaces or commas. */
function list(raw: unknown): string[] | undefined {
  const parsed = typeof raw === "string" && raw.trimStart().startsWith("[") ? parseJson(raw) : raw;
  if (Array.isArray(parsed)) return parsed.every((s) => typeof s === "string") ? parsed : undefined;
  return typeof parsed === "string" ? parsed.split(/[\s,]+/).filter(Boolean) : undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** RFC 9396 authorization details (a JSON array of objects with a `type`) in the SDK's shape. */
function authorizationDetails(raw: unknown): AuthorizationDetailsElement[] | undefined {
  const parsed = typeof raw === "string" ? parseJson(raw) : raw;
  if (!Array.isArray(parsed)) return undefined;
  const elements: AuthorizationDetailsElement[] = [];
  for (const item of parsed as unknown[]) {
    if (typeof item !== "object" || item === null || typeof (item as { type?: unknown }).type !== "string")
      return undefined;
    const element = { ...(item as Record<string, unknown>) };
    const known = Object.fromEntries(knownDetailKeys.filter((k) => k in element).map((k) => [k, element[k]]));
    for (const k of knownDetailKeys) delete element[k];
    const others = Object.keys(element).length > 0 ? { otherFields: JSON.stringify(element) } : {};
    elements.push({ ...(known as AuthorizationDetailsElement), ...others });
  }
  return elements;
}

const truthy = new Set(["true", "t", "1", "yes"]);
const falsy = new Set(["false", "f", "0", "no"]);

/**
 * Reads the attributes a mapping names (resources, acr, authTime, authorizationDetails,
 * clientIdAliasUsed, sessionId), and what the row holds that Authlete cannot take over: its issue time
 * (Authlete records the migration's), refresh scopes broader than the access token's.
 */
export function readAttributes(
  fields: Record<string, unknown>,
  mapping: Mapping,
  accessScopes: readonly string[],
): Read {
  const attributes: Attributes = {};
  const resources = value(fields, mapping, "resources");
  if (resources !== undefined) {
    const parsed = list(resources);
    if (!parsed) return { invalid: "resources", detail: "is not a JSON array of strings or a list of URIs" };
    if (parsed.length) attributes.resources = parsed;
  }
  const acr = value(fields, mapping, "acr");
  if (acr !== undefined) attributes.acr = String(acr);
  const sessionId = value(fields, mapping, "sessionId");
  if (sessionId !== undefined) attributes.sessionId = String(sessionId);
  const authTime = value(fields, mapping, "authTime");
  if (authTime !== undefined) {
    const at = parseInstant(authTime, mapping.time.timezone);
    if (at === undefined) return { invalid: "authTime", detail: "is not a valid time" };
    attributes.authTime = Math.floor(at / 1000);
  }
  const details = value(fields, mapping, "authorizationDetails");
  if (details !== undefined) {
    const elements = authorizationDetails(details);
    if (!elements)
      return {
        invalid: "authorizationDetails",
        detail: "is not a JSON array of objects with a type (RFC 9396)",
      };
    attributes.authorizationDetails = { elements };
  }
  const alias = value(fields, mapping, "clientIdAliasUsed");
  if (alias !== undefined) {
    const text = String(alias).toLowerCase();
    if (!truthy.has(text) && !falsy.has(text))
      return { invalid: "clientIdAliasUsed", detail: "is not a boolean (true/false, t/f, 1/0)" };
    attributes.clientIdAliasUsed = truthy.has(text);
  }
  const notCarried: NotCarried[] = [];
  if (mapping.columns.issuedAt) notCarried.push("issue_time");
  const refreshScopes = value(fields, mapping, "refreshTokenScopes");
  if (refreshScopes !== undefined) {
    // Authlete's refresh token carries the access token's scopes: a broader grant is narrowed to them.
    const parsed = mapScopes(refreshScopes, mapping.scopes);
    if ("error" in parsed) return { invalid: "refreshTokenScopes", detail: parsed.error };
    if (parsed.some((s) => !accessScopes.includes(s))) notCarried.push("broader_refresh_scopes");
  }
  return { attributes, notCarried };
}
