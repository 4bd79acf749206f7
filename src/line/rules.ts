/**
 * LINE channel access token v2.1: the rules of its assertion signing keys and client assertions
 * (developers.line.biz "Issue channel access token v2.1"). The tool and the emulator's issuer share them.
 */
export const lineBaseUrl = "https://api.line.me";
export const lineAudience = "https://api.line.me/";
export const clientAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/** The longest an assertion may live: its `exp` is at most this far ahead. */
export const maxAssertionLifetimeSeconds = 30 * 60;
/** The longest lifetime (`token_exp`) a channel access token v2.1 may be asked for. */
export const maxTokenLifetimeSeconds = 30 * 24 * 60 * 60;
/** Members only a private RSA JWK has. */
const privateMembers = ["d", "p", "q", "dp", "dq", "qi", "oth"];

/** Why a JWK cannot be registered as an assertion signing key; undefined when it can. */
export function publicKeyProblem(jwk: unknown): string | undefined {
  if (typeof jwk !== "object" || jwk === null || Array.isArray(jwk)) return "the key is not a JSON object";
  const key = jwk as Record<string, unknown>;
  if (privateMembers.some((m) => m in key)) return "this is a private key: register the public key only";
  if ("kid" in key) return "the public key must not have a kid: LINE assigns it";
  if (key.kty !== "RSA") return `kty must be RSA; got ${JSON.stringify(key.kty)}`;
  if (key.alg !== "RS256") return `alg must be RS256; got ${JSON.stringify(key.alg)}`;
  if (typeof key.n !== "string" || typeof key.e !== "string") return "n and e are required";
  const bits = modulusBits(key.n);
  if (bits !== 2048) return `the RSA key must be 2048 bits; got ${bits}`;
  const { use, key_ops: ops } = key;
  if (use === undefined && ops === undefined) return 'use ("sig") or key_ops (["verify"]) is required';
  if (use !== undefined && use !== "sig") return `use must be sig; got ${JSON.stringify(use)}`;
  if (ops !== undefined && !(Array.isArray(ops) && ops.length === 1 && ops[0] === "verify"))
    return `key_ops must be ["verify"]; got ${JSON.stringify(ops)}`;
  return undefined;
}

/** Bit length of a base64url big-endian modulus, leading zero bytes ignored. */
function modulusBits(n: string): number {
  const bytes = Buffer.from(n, "base64url");
  let i = 0;
  while (i < bytes.length && bytes[i] === 0) i++;
  if (i === bytes.length) return 0;
  return (bytes.length - i - 1) * 8 + (32 - Math.clz32(bytes[i]!));
}
