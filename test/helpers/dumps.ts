import type { TestContext } from "node:test";
import { tempDir } from "./paths.js";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { generatedMapping } from "../../scripts/lib/generated-mapping.js";

export { generatedMapping };

export interface LegacyRow {
  token: string;
  refresh_token: string | null;
  client: string;
  user: string | null;
  scopes: string;
  expires_at: string | null;
  refresh_expires_at: string | null;
  revoked_at: string | null;
}

let counter = 0;
/** A fresh, realistic-looking token value (43 characters of base64url). */
export function tokenValue(prefix: string): string {
  counter++;
  return `${prefix}${counter.toString(36)}${"x".repeat(43)}`.slice(0, 43).replace(/[^A-Za-z0-9_-]/g, "_");
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Live rows with every shape the mapper supports, relative to the real clock. */
export function liveRows(count: number, base = Date.now()): LegacyRow[] {
  return Array.from({ length: count }, (_, i) => ({
    token: tokenValue(`at${i}_`),
    refresh_token: i % 3 === 2 ? null : tokenValue(`rt${i}_`),
    client: i % 2 === 0 ? "web" : "mobile",
    user: `user${i}@example.com`,
    scopes: i % 2 === 0 ? "openid profile" : "openid orders:read",
    expires_at: iso(base + (3600 + i) * 1000),
    refresh_expires_at: iso(base + 30 * 86400_000),
    revoked_at: null,
  }));
}

const columns: (keyof LegacyRow)[] = [
  "token",
  "refresh_token",
  "client",
  "user",
  "scopes",
  "expires_at",
  "refresh_expires_at",
  "revoked_at",
];

function csv(rows: LegacyRow[]): string {
  const cell = (v: string | null) => (v === null ? "" : /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return `${columns.join(",")}\n${rows.map((r) => columns.map((c) => cell(r[c])).join(",")).join("\n")}\n`;
}

/** Writes the rows as `name` in the format its extension says (csv, json, ndjson, .gz). */
export function writeDump(dir: string, name: string, rows: LegacyRow[]): string {
  const file = join(dir, name);
  const plain = name.replace(/\.gz$/, "");
  const text = plain.endsWith(".csv")
    ? csv(rows)
    : plain.endsWith(".ndjson")
      ? rows.map((r) => JSON.stringify(r)).join("\n") + "\n"
      : JSON.stringify(rows, null, 1);
  writeFileSync(file, name.endsWith(".gz") ? gzipSync(text) : text);
  return file;
}

/** Writes the generated mapping next to the dumps. */
export function writeMapping(
  dir: string,
  mapping: unknown = generatedMapping,
  name = "mapping.json",
): string {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(mapping));
  return file;
}

/** `rows` live rows in a CSV dump of a fresh temp dir, a ledger there, and the migrate line over them. */
export function liveSetup(t: TestContext, rows = 60) {
  const dir = tempDir(t);
  const dump = liveRows(rows);
  const ledger = join(dir, "l.db");
  const args = (extra: string[] = []) => [
    "migrate",
    writeDump(dir, "tokens.csv", dump),
    "--mapping",
    writeMapping(dir),
    "--ledger",
    ledger,
    "--json",
    ...extra,
  ];
  return { dir, dump, ledger, args };
}
