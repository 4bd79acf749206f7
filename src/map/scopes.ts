import type { Mapping } from "./types.js";

type Mapped = string[] | { error: string };

/**
 * The last answers per mapping: a dump repeats a handful of scope strings across millions of rows, and
 * splitting and checking each again was a twentieth of a dry run. Bounded; the arrays are frozen (shared).
 */
const recent = new WeakMap<Mapping["scopes"], Map<string, Mapped>>();
const recentLimit = 256;

/** Legacy scopes → Authlete scopes, or an error text naming the offending scope. */
export function mapScopes(value: unknown, config: Mapping["scopes"]): Mapped {
  if (typeof value !== "string") return mapScopesOnce(value, config);
  let known = recent.get(config);
  if (!known) recent.set(config, (known = new Map()));
  let mapped = known.get(value);
  if (mapped === undefined) {
    mapped = mapScopesOnce(value, config);
    if (Array.isArray(mapped)) Object.freeze(mapped);
    if (known.size >= recentLimit) known.clear();
    known.set(value, mapped);
  }
  return mapped;
}

function mapScopesOnce(value: unknown, config: Mapping["scopes"]): Mapped {
  let legacy: unknown[];
  // A row without scopes gets the mapping's constant default (a dump with no scope column at all).
  if (value === null || value === undefined || value === "") legacy = [...(config.default ?? [])];
  else if (Array.isArray(value)) legacy = value;
  else if (typeof value !== "string") return { error: `scopes must be text, got ${typeof value}` };
  else if (config.separator === "json") {
    try {
      const parsed: unknown = JSON.parse(value);
      if (!Array.isArray(parsed)) return { error: "scopes are not a JSON array" };
      legacy = parsed;
    } catch {
      return { error: "scopes are not valid JSON" };
    }
  } else
    legacy = value
      .split(config.separator)
      .map((s) => s.trim())
      .filter((s) => s !== "");

  const scopes = new Set<string>();
  for (const item of legacy) {
    if (typeof item !== "string") return { error: "a scope is not a string" };
    // RFC 6749 scope-token: printable ASCII without space, quote or backslash.
    if (!/^[\x21\x23-\x5b\x5d-\x7e]+$/.test(item)) {
      return { error: `scope ${JSON.stringify(item).slice(0, 40)} has characters RFC 6749 does not allow` };
    }
    const mapped = Object.hasOwn(config.map, item) ? config.map[item] : item;
    if (mapped !== null && mapped !== undefined) scopes.add(mapped);
  }
  return [...scopes];
}
