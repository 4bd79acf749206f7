import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { once } from "node:events";
import { accessOnlyMapping, generatedMapping } from "./generated-mapping.js";

/**
 * The row shapes the bench reads. `bench`: its first dump (tokens of a repeated letter, both expiries).
 * `two-token`: the common shape of a real export — random 43-character access and refresh tokens (32
 * random bytes, base64url, as Doorkeeper and django-oauth-toolkit issue them), both ISO expiries with
 * milliseconds, client, user, scopes. `access-only`: a server without refresh tokens (client credentials).
 */
export type BenchShape = "bench" | "two-token" | "access-only";
export type BenchFormat = "csv" | "json" | "ndjson";

// The generated mapping's columns (a Doorkeeper-like export); the access-only dump drops the refresh ones.
const twoToken = Object.values(generatedMapping.columns);
const columns: Record<BenchShape, string[]> = {
  bench: twoToken,
  "two-token": twoToken,
  "access-only": Object.values(accessOnlyMapping.columns),
};

/** The dump's columns (its header), for the mapping of a shape. */
export const shapeColumns = (shape: BenchShape) => columns[shape];

const scopes = ["openid profile", "openid profile email", "read write", "openid email offline_access"];

function row(shape: BenchShape, i: number, now: number, tag: string): Record<string, string | null> {
  const id = `${tag}${i.toString(36).padStart(8, "0")}`;
  const expiresAt = new Date(now + 3_600_000 + (i % 86_400) * 1000).toISOString();
  if (shape === "bench")
    return {
      token: `at_${id}_${"k".repeat(30)}`.slice(0, 43),
      refresh_token: `rt_${id}_${"r".repeat(30)}`.slice(0, 43),
      client: i % 2 === 0 ? "web" : "mobile",
      user: `user${i}@example.com`,
      scopes: "openid profile",
      expires_at: expiresAt,
      refresh_expires_at: new Date(now + 30 * 86_400_000).toISOString(),
      revoked_at: null,
    };
  // Random values: a row's tokens share no prefix with the next row's, as in a real table.
  const random = randomBytes(64);
  const common = {
    token: random.subarray(0, 32).toString("base64url"),
    client: i % 2 === 0 ? "web" : "mobile",
    user: `${(i * 2654435761) % 4294967296}`,
    scopes: scopes[i % scopes.length]!,
    expires_at: expiresAt,
  };
  if (shape === "access-only") return { ...common, revoked_at: null };
  return {
    token: common.token,
    refresh_token: random.subarray(32).toString("base64url"),
    client: common.client,
    user: common.user,
    scopes: common.scopes,
    expires_at: common.expires_at,
    refresh_expires_at: new Date(now + 14 * 86_400_000 + (i % 86_400) * 1000).toISOString(),
    revoked_at: null,
  };
}

const csvLine = (values: (string | null)[]) => `${values.map((v) => v ?? "").join(",")}\n`;

/** Writes `rows` live legacy tokens of a shape as CSV, JSON array or NDJSON, streaming (constant memory). */
export async function writeBenchDump(
  file: string,
  rows: number,
  format: BenchFormat,
  tag = "b",
  shape: BenchShape = "bench",
): Promise<void> {
  const out = createWriteStream(file, { highWaterMark: 1 << 20 });
  const now = Date.now();
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, "drain");
  };
  if (format === "csv") await write(csvLine(columns[shape]));
  if (format === "json") await write("[\n");
  let chunk = "";
  for (let i = 0; i < rows; i++) {
    const r = row(shape, i, now, tag);
    if (format === "csv") chunk += csvLine(columns[shape].map((c) => r[c] ?? null));
    else
      chunk += `${format === "json" && i > 0 ? ",\n" : ""}${JSON.stringify(r)}${format === "ndjson" ? "\n" : ""}`;
    if (chunk.length > 1 << 20) {
      await write(chunk);
      chunk = "";
    }
  }
  if (format === "json") chunk += "\n]\n";
  await write(chunk);
  out.end();
  await once(out, "finish");
}
