import { createWriteStream } from "node:fs";
import { once } from "node:events";
import { seededRandom } from "../../src/emulator/faults.js";
import { probeTokenFor, tokenHash } from "../../src/shared/hash.js";

export const chaosClients = { web: 26888344961664, mobile: 26888344961665, billing: 26888344961666 } as const;

/** What Authlete must hold for a row after the migration: derived from how the row was generated. */
export interface ExpectedToken {
  accessHash: string;
  refreshHash: string | null;
  clientId: number;
  subject: string | null;
  scopes: string[];
  /** Legacy expiries, epoch ms; access null for refresh-only rows (a 1-second probe). */
  accessExpiresAt: number | null;
  refreshExpiresAt: number | null;
}

export interface ChaosDump {
  rows: number;
  expected: Map<string, ExpectedToken>;
  /** Hashes that must never appear in Authlete: expired and revoked tokens. */
  forbidden: Set<string>;
  categories: Record<string, number>;
}

/** Writes a CSV of `rows` legacy tokens with expired, revoked, duplicate and refresh-only rows mixed in. */
export async function writeChaosDump(
  file: string,
  rows: number,
  seed: number,
  now = Date.now(),
): Promise<ChaosDump> {
  const random = seededRandom(seed);
  const out = createWriteStream(file);
  const expected = new Map<string, ExpectedToken>();
  const forbidden = new Set<string>();
  const categories: Record<string, number> = {};
  const written: string[] = [];
  const iso = (ms: number) => new Date(ms).toISOString();
  const value = (kind: string, i: number) =>
    `${kind}${i.toString(36)}_${Math.floor(random() * 2 ** 48).toString(36)}`.padEnd(43, "Q");
  out.write("token,refresh_token,client,user,scopes,expires_at,refresh_expires_at,revoked_at\n");
  for (let i = 0; i < rows; i++) {
    const draw = random();
    const category =
      draw < 0.05
        ? "expired"
        : draw < 0.1
          ? "revoked"
          : draw < 0.14 && written.length > 0
            ? "duplicate"
            : draw < 0.18
              ? "refresh-only"
              : draw < 0.2
                ? "client-credentials"
                : "live";
    categories[category] = (categories[category] ?? 0) + 1;
    if (category === "duplicate") {
      out.write(written[Math.floor(random() * written.length)]!);
      continue;
    }
    const client = category === "client-credentials" ? "billing" : random() < 0.5 ? "web" : "mobile";
    const access = value("at", i);
    const refresh = client === "billing" ? null : value("rt", i);
    const user = client === "billing" ? "" : `user${i}@example.com`;
    const scopes = client === "billing" ? "invoices:read" : "openid profile";
    // At least an hour of life, so no row can expire while the chaos run goes on.
    const accessExpiresAt =
      category === "expired" || category === "refresh-only"
        ? now - 3_600_000
        : now + 3_600_000 + Math.floor(random() * 30 * 86_400_000);
    const refreshExpiresAt =
      category === "expired" ? now - 60_000 : now + 40 * 86_400_000 + Math.floor(random() * 86_400_000);
    const revokedAt = category === "revoked" ? iso(now - 60_000) : "";
    const line = `${access},${refresh ?? ""},${client},${user},${scopes},${iso(accessExpiresAt)},${refresh === null ? "" : iso(refreshExpiresAt)},${revokedAt}\n`;
    written.push(line);
    if (!out.write(line)) await once(out, "drain");
    if (category === "expired" || category === "revoked") {
      forbidden.add(tokenHash(access));
      if (refresh) forbidden.add(tokenHash(probeTokenFor(refresh)));
      continue;
    }
    const refreshOnly = category === "refresh-only";
    expected.set(refreshOnly ? tokenHash(probeTokenFor(refresh!)) : tokenHash(access), {
      accessHash: refreshOnly ? tokenHash(probeTokenFor(refresh!)) : tokenHash(access),
      refreshHash: refresh === null ? null : tokenHash(refresh),
      clientId: chaosClients[client],
      subject: client === "billing" ? null : user,
      scopes: scopes.split(" "),
      accessExpiresAt: refreshOnly ? null : accessExpiresAt,
      refreshExpiresAt: refresh === null ? null : refreshExpiresAt,
    });
    if (refreshOnly) forbidden.add(tokenHash(access));
  }
  out.end();
  await once(out, "finish");
  return { rows, expected, forbidden, categories };
}
