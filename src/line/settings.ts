import { dirname, resolve } from "node:path";
import { protectsCredentials } from "../shared/wire.js";
import { lineAudience, lineBaseUrl } from "./rules.js";

/** How to ask LINE for the valid key IDs: one signing key per channel (legacy client ID). */
export interface LineKeyIdQuery {
  baseUrl: string;
  audience: string;
  channels: ReadonlyMap<string, { privateKeyFile: string; kid?: string }>;
}

/** A problem in the LINE settings: the field (a path below the settings) and what is wrong. */
export interface LineSettingsProblem {
  field: string;
  problem: string;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * The LINE part of a mapping's `validKeyIds`: the issuer's origin (https, or http on loopback: the
 * assertion is a credential while it lives), the audience, and a private key file per channel, resolved
 * against the directory of `anchorFile`. Pure: the key files are read when a run asks LINE.
 */
export function parseLineKeyIdQuery(line: unknown, anchorFile: string): LineKeyIdQuery | LineSettingsProblem {
  const shape =
    'must be { "channels": { channelId: { "privateKey": JWK file, "kid"? } }, "baseUrl"?, "audience"? }';
  if (!isRecord(line) || !isRecord(line.channels) || Object.keys(line.channels).length === 0)
    return { field: "", problem: shape };
  const unknown = Object.keys(line).filter((k) => !["channels", "baseUrl", "audience"].includes(k));
  if (unknown.length)
    return { field: "", problem: `has unknown key(s) ${unknown.map((k) => JSON.stringify(k)).join(", ")}` };
  const baseUrl = line.baseUrl ?? lineBaseUrl;
  if (typeof baseUrl !== "string" || !URL.canParse(baseUrl))
    return { field: ".baseUrl", problem: `is not a URL: ${JSON.stringify(baseUrl)}` };
  const url = new URL(baseUrl);
  // A mapping is shared and downloaded: it must not choose where a signed assertion goes. Another
  // issuer (a test stand-in) is named on the command line (--line-base-url), and printed.
  if (url.origin !== new URL(lineBaseUrl).origin)
    return {
      field: ".baseUrl",
      problem: `may only be LINE's own ${lineBaseUrl}: a mapping never sends the client assertion elsewhere; name another issuer with --line-base-url on the command line`,
    };
  if (line.audience !== undefined && typeof line.audience !== "string")
    return { field: ".audience", problem: "must be a string" };
  const channels = new Map<string, { privateKeyFile: string; kid?: string }>();
  for (const [channelId, key] of Object.entries(line.channels)) {
    const field = `.channels.${channelId}`;
    if (
      !isRecord(key) ||
      typeof key.privateKey !== "string" ||
      !["string", "undefined"].includes(typeof key.kid)
    )
      return { field, problem: 'must be { "privateKey": a private JWK file, "kid"?: its key ID }' };
    const extra = Object.keys(key).filter((k) => k !== "privateKey" && k !== "kid");
    if (extra.length)
      return { field, problem: `has unknown key(s) ${extra.map((k) => JSON.stringify(k)).join(", ")}` };
    channels.set(channelId, {
      privateKeyFile: resolve(dirname(anchorFile), key.privateKey),
      ...(typeof key.kid === "string" ? { kid: key.kid } : {}),
    });
  }
  return { baseUrl: url.origin, audience: (line.audience as string | undefined) ?? lineAudience, channels };
}

/** The issuer a command line names instead of LINE (https, or http on loopback): its origin. */
export function lineIssuerOverride(value: string): string | { problem: string } {
  if (!URL.canParse(value)) return { problem: `is not a URL (${value.length} characters)` };
  const url = new URL(value);
  if (!protectsCredentials(url) || url.username || url.password)
    return { problem: "must be https (plain HTTP only on loopback) and hold no credentials" };
  return url.origin;
}
