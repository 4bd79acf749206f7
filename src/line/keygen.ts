import { exportJWK, generateKeyPair, type JWK } from "jose";

export interface AssertionKeyPair {
  /** Register this one with LINE; it has no `kid`, LINE assigns one. */
  publicJwk: JWK;
  /** Keep this one secret; it signs the client assertions. */
  privateJwk: JWK;
}

/** A new assertion signing key pair as LINE requires it: RSA 2048, RS256, for signatures. */
export async function generateAssertionKeyPair(): Promise<AssertionKeyPair> {
  const { publicKey, privateKey } = await generateKeyPair("RS256", {
    modulusLength: 2048,
    extractable: true,
  });
  const { kty, n, e } = await exportJWK(publicKey);
  return {
    publicJwk: { kty, n, e, alg: "RS256", use: "sig" },
    privateJwk: { ...(await exportJWK(privateKey)), alg: "RS256", use: "sig" },
  };
}
