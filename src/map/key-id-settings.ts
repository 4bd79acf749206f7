import { dirname, resolve } from "node:path";
import { lineAudience, lineBaseUrl } from "../line/index.js";
import { readFailure } from "../shared/text.js";
import { protectsCredentials } from "../shared/wire.js";
import { invalid, isRecord, onlyKeys } from "./mapping-checks.js";
import type { LineKeyIdQuery, ValidKeyIds } from "./types.js";
import { readJsonFile } from "../shared/json-file.js";

const validKeyIdsShape =
  'validKeyIds must be { "column": the key ID column, and "file": a saved {"kids": [...]} answer, ' +
  'or "line": { "channels": { channelId: { "privateKey": JWK file, "kid"? } }, "baseUrl"?, "audience"? } }';

/** The valid key IDs: a saved answer, or how to ask LINE for them. */
export function parseValidKeyIds(v: unknown, file: string): ValidKeyIds {
  if (!isRecord(v) || typeof v.column !== "string" || (v.file === undefined) === (v.line === undefined))
    invalid(file, validKeyIdsShape);
  onlyKeys(file, "validKeyIds", v, ["column", "file", "line"]);
  if (v.line !== undefined) return { column: v.column, issuer: parseLineQuery(v.line, file) };
  if (typeof v.file !== "string") invalid(file, validKeyIdsShape);
  let kids: unknown;
  try {
    kids = (readJsonFile(resolve(dirname(file), v.file)) as { kids?: unknown }).kids;
  } catch (error) {
    invalid(file, `validKeyIds.file ${v.file} ${readFailure(error)}`);
  }
  if (!Array.isArray(kids) || kids.some((k) => typeof k !== "string"))
    invalid(file, `validKeyIds.file ${v.file} has no "kids" array of strings`);
  return { column: v.column, ids: new Set(kids as string[]) };
}

function parseLineQuery(line: unknown, file: string): LineKeyIdQuery {
  if (!isRecord(line) || !isRecord(line.channels) || Object.keys(line.channels).length === 0)
    invalid(file, validKeyIdsShape);
  onlyKeys(file, "validKeyIds.line", line, ["channels", "baseUrl", "audience"]);
  const baseUrl = line.baseUrl ?? lineBaseUrl;
  if (typeof baseUrl !== "string" || !URL.canParse(baseUrl))
    invalid(file, `validKeyIds.line.baseUrl is not a URL: ${JSON.stringify(baseUrl)}`);
  const url = new URL(baseUrl);
  // The assertion is a credential while it lives: plain HTTP only to this machine.
  if (!protectsCredentials(url))
    invalid(file, `validKeyIds.line.baseUrl must be https (or http on loopback); got ${url.origin}`);
  if (line.audience !== undefined && typeof line.audience !== "string")
    invalid(file, "validKeyIds.line.audience must be a string");
  const channels = new Map<string, { privateKeyFile: string; kid?: string }>();
  for (const [channelId, key] of Object.entries(line.channels)) {
    const where = `validKeyIds.line.channels.${channelId}`;
    if (
      !isRecord(key) ||
      typeof key.privateKey !== "string" ||
      !["string", "undefined"].includes(typeof key.kid)
    )
      invalid(file, `${where} must be { "privateKey": a private JWK file, "kid"?: its key ID }`);
    onlyKeys(file, where, key, ["privateKey", "kid"]);
    channels.set(channelId, {
      privateKeyFile: resolve(dirname(file), key.privateKey),
      ...(typeof key.kid === "string" ? { kid: key.kid } : {}),
    });
  }
  return { baseUrl: url.origin, audience: (line.audience as string | undefined) ?? lineAudience, channels };
}
