import { createHash } from "node:crypto";

/** Authlete's (inferred) token hash: base64url(SHA-256(utf8(value))), 43 characters, no padding. */
export function tokenHash(value: string): string {
  return createHash("sha256").update(value, "utf8").digest("base64url");
}

/** A short, non-reversible label for a token in human output: the first 8 characters of its hash. */
export function fingerprint(value: string): string {
  return `sha256:${tokenHash(value).slice(0, 8)}`;
}
