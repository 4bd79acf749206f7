import { randomBytes } from "node:crypto";
import type { CryptoKey, KeyObject } from "jose";
import type { LineChannelSeed } from "../types.js";

type VerificationKey = CryptoKey | KeyObject;

/** A channel access token v2.1 as the issuer keeps it: by hash, never the value. */
export interface IssuedTokenRecord {
  hash: string;
  keyId: string;
  expiresAt: number;
  revoked: boolean;
}

export interface LineChannel {
  channelId: string;
  channelSecret: string;
  /** kid → the registered public key. */
  keys: Map<string, VerificationKey>;
  tokens: IssuedTokenRecord[];
}

/** LINE keeps at most this many valid tokens per channel and revokes the oldest beyond it. */
const maxValidTokensPerChannel = 30;

/** The LINE-style issuer's state: seeded channels, their registered keys and the tokens issued. */
export class LineIssuer {
  readonly channels: Map<string, LineChannel>;

  constructor(seeds: readonly LineChannelSeed[]) {
    this.channels = new Map(
      seeds.map((s) => [
        s.channelId,
        { channelId: s.channelId, channelSecret: s.channelSecret, keys: new Map(), tokens: [] },
      ]),
    );
  }

  registerKey(channel: LineChannel, key: VerificationKey): string {
    const kid = randomBytes(16)
      .toString("hex")
      .replace(/^(.{8})(.{4})(.{4})(.{4})/, "$1-$2-$3-$4-");
    channel.keys.set(kid, key);
    return kid;
  }

  /** Records a new token; the oldest valid ones are revoked past the per-channel limit. */
  issue(channel: LineChannel, hash: string, lifetimeSeconds: number, now: number): IssuedTokenRecord {
    const token: IssuedTokenRecord = {
      hash,
      keyId: randomBytes(16).toString("base64url"),
      expiresAt: now + lifetimeSeconds * 1000,
      revoked: false,
    };
    channel.tokens.push(token);
    const valid = this.validTokens(channel, now);
    for (const old of valid.slice(0, Math.max(0, valid.length - maxValidTokensPerChannel)))
      old.revoked = true;
    return token;
  }

  validTokens(channel: LineChannel, now: number): IssuedTokenRecord[] {
    return channel.tokens.filter((t) => !t.revoked && t.expiresAt > now);
  }
}

/** A value shaped like LINE's v2.1 tokens: a JWS-looking string of about 250 characters. */
export function newChannelTokenValue(): string {
  return `eyJhbGciOiJIUzI1NiJ9.${randomBytes(150).toString("base64url")}.${randomBytes(32).toString("base64url")}`;
}
