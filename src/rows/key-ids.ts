import type { JWK } from "jose";
import { fetchValidKeyIds } from "../line/index.js";
import type { Mapping } from "../map/index.js";
import { MigrateError } from "../shared/errors.js";
import { readFailure } from "../shared/text.js";
import { readJsonFile } from "../shared/json-file.js";

/**
 * The mapping with its valid key IDs in hand: asked of the LINE issuer once, per channel, before the
 * first row, so a run maps every row against the same answer. A mapping without a query is returned as is.
 */
export async function withValidKeyIds(mapping: Mapping): Promise<Mapping> {
  const valid = mapping.validKeyIds;
  if (!valid?.issuer || valid.ids) return mapping;
  const { issuer } = valid;
  const ids = new Set<string>();
  for (const [channelId, key] of issuer.channels) {
    const privateJwk = readPrivateKey(channelId, key.privateKeyFile);
    const kid = key.kid ?? privateJwk.kid;
    if (!kid)
      throw new MigrateError(
        "mapping_invalid",
        `validKeyIds.line.channels.${channelId}: no kid (give "kid", the key ID LINE assigned the public key)`,
      );
    for (const id of await fetchValidKeyIds(issuer, { channelId, kid, privateJwk })) ids.add(id);
  }
  return Object.freeze({ ...mapping, validKeyIds: { ...valid, ids } });
}

function readPrivateKey(channelId: string, file: string): JWK {
  try {
    return readJsonFile(file) as JWK;
  } catch (error) {
    // The message names the file and the parser's complaint, never the file's content.
    throw new MigrateError(
      "mapping_invalid",
      `validKeyIds.line.channels.${channelId}: the private key ${file} ${readFailure(error)}`,
      { file },
    );
  }
}
