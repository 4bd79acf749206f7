import { parseLineKeyIdQuery } from "../line/index.js";
import { invalid, isRecord, onlyKeys } from "./mapping-checks.js";
import type { ValidKeyIds } from "./types.js";

const validKeyIdsShape =
  'validKeyIds must be { "column": the key ID column, and "file": a saved {"kids": [...]} answer, ' +
  'or "line": { "channels": { channelId: { "privateKey": JWK file, "kid"? } }, "baseUrl"?, "audience"? } }';

/**
 * The valid key IDs: a saved answer (its `kids`, read by the loader: `savedKids`), or how to ask LINE
 * for them (parsed by the LINE stage). Pure.
 */
export function parseValidKeyIds(v: unknown, file: string, savedKids?: unknown): ValidKeyIds {
  if (!isRecord(v) || typeof v.column !== "string" || (v.file === undefined) === (v.line === undefined))
    invalid(file, validKeyIdsShape, "validKeyIds");
  onlyKeys(file, "validKeyIds", v, ["column", "file", "line"]);
  if (v.line !== undefined) {
    const query = parseLineKeyIdQuery(v.line, file);
    if ("problem" in query)
      invalid(file, `validKeyIds.line${query.field} ${query.problem}`, `validKeyIds.line${query.field}`);
    return { column: v.column, issuer: query };
  }
  if (typeof v.file !== "string") invalid(file, validKeyIdsShape, "validKeyIds.file");
  if (savedKids === undefined)
    invalid(file, "validKeyIds.file is read when the mapping is loaded from a file", "validKeyIds.file");
  if (!Array.isArray(savedKids) || savedKids.some((k) => typeof k !== "string"))
    invalid(file, `validKeyIds.file ${v.file} has no "kids" array of strings`, "validKeyIds.file");
  return { column: v.column, ids: new Set(savedKids as string[]) };
}
