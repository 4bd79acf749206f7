import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { test, type TestContext } from "node:test";
import {
  decodeJwt,
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  importJWK,
  jwtVerify,
  SignJWT,
  type JWK,
  type JWTPayload,
} from "jose";
import { buildClientAssertion, type ChannelKey } from "../../src/line/assertion.js";
import { generateAssertionKeyPair } from "../../src/line/keygen.js";
import {
  fetchValidKeyIds,
  issueChannelToken,
  revokeChannelToken,
  type IssuerEndpoint,
} from "../../src/line/issuer-client.js";
import { clientAssertionType } from "../../src/line/rules.js";
import { postPublicKey, registerPublicKey } from "../../scripts/lib/line-client.js";
import { withEmulator } from "../helpers/emulator.js";

const channelId = "1657000001";
const channel = { channelId, channelSecret: "line-channel-secret-1657000001" };

interface Issuer {
  endpoint: IssuerEndpoint;
  key: ChannelKey;
  publicJwk: JWK;
}

/** An emulator with one registered assertion key for the channel. */
async function lineIssuer(t: TestContext): Promise<Issuer> {
  const { emulator } = await withEmulator(t);
  const { publicJwk, privateJwk } = await generateAssertionKeyPair();
  const kid = await registerPublicKey(emulator.baseUrl, channelId, publicJwk);
  return { endpoint: { baseUrl: emulator.baseUrl }, key: { channelId, kid, privateJwk }, publicJwk };
}

/** POST /oauth2/v2.1/token with a hand-made assertion: what LINE answers. */
async function issueWith(baseUrl: string, assertion: string) {
  const response = await fetch(`${baseUrl}/oauth2/v2.1/token`, {
    method: "POST",
    body: new URLSearchParams({
      grant_type: "client_credentials",
      client_assertion_type: clientAssertionType,
      client_assertion: assertion,
    }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const seconds = () => Math.floor(Date.now() / 1000);

/** Signs any header and claims, so a test can break exactly one rule. */
async function assertion(
  issuer: Issuer,
  claims: JWTPayload,
  header: Record<string, unknown> = {},
  privateJwk: JWK = issuer.key.privateJwk,
): Promise<string> {
  const alg = (header.alg as string | undefined) ?? "RS256";
  const key = alg === "RS256" ? await importJWK(privateJwk, "RS256") : new Uint8Array(32).fill(7);
  return new SignJWT({
    iss: channelId,
    sub: channelId,
    aud: "https://api.line.me/",
    exp: seconds() + 600,
    token_exp: 86_400,
    ...claims,
  })
    .setProtectedHeader({ alg, typ: "JWT", kid: issuer.key.kid, ...header })
    .sign(key);
}

test("keygen makes the key LINE asks for: RSA 2048, RS256, use sig, a public key without kid", async () => {
  const { publicJwk, privateJwk } = await generateAssertionKeyPair();
  assert.deepEqual(Object.keys(publicJwk).sort(), ["alg", "e", "kty", "n", "use"]);
  assert.equal(publicJwk.kty, "RSA");
  assert.equal(publicJwk.alg, "RS256");
  assert.equal(publicJwk.use, "sig");
  assert.equal(publicJwk.kid, undefined);
  const modulus = Buffer.from(publicJwk.n!, "base64url");
  assert.equal(modulus.length, 256);
  assert.ok(modulus[0]! >= 0x80, "the modulus has its top bit set: exactly 2048 bits");
  assert.equal(privateJwk.n, publicJwk.n);
  assert.equal(typeof privateJwk.d, "string");
  // The pair works together: what the private key signs, the public key verifies.
  const signed = await buildClientAssertion({ channelId, kid: "k", privateJwk });
  await jwtVerify(signed, await importJWK(publicJwk, "RS256"), { audience: "https://api.line.me/" });
});

test("public-key registration refuses keys LINE refuses and assigns the kid of a good one", async (t) => {
  const { emulator } = await withEmulator(t);
  const { publicJwk, privateJwk } = await generateAssertionKeyPair();
  // jose will not make a key under 2048 bits; node:crypto will.
  const small = generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey.export({ format: "jwk" });
  const ec = await exportJWK((await generateKeyPair("ES256", { extractable: true })).publicKey);
  const refused: [string, unknown, RegExp][] = [
    ["a kid", { ...publicJwk, kid: "mine" }, /must not have a kid/],
    ["RSA 1024", { ...small, alg: "RS256", use: "sig" }, /2048 bits; got 1024/],
    ["EC", { ...ec, alg: "ES256", use: "sig" }, /kty must be RSA/],
    ["RS512", { ...publicJwk, alg: "RS512" }, /alg must be RS256/],
    ["use enc", { ...publicJwk, use: "enc" }, /use must be sig/],
    [
      "key_ops sign",
      { kty: "RSA", n: publicJwk.n, e: publicJwk.e, alg: "RS256", key_ops: ["sign"] },
      /key_ops/,
    ],
    ["no use", { kty: "RSA", n: publicJwk.n, e: publicJwk.e, alg: "RS256" }, /use .* or key_ops/],
    ["a private key", privateJwk, /private key/],
  ];
  for (const [what, jwk, why] of refused) {
    const answer = await postPublicKey(emulator.baseUrl, channelId, jwk);
    assert.equal(answer.status, 400, what);
    assert.equal(answer.body.error, "invalid_key", what);
    assert.match(answer.body.error_description!, why, what);
  }
  const verifyOnly = { kty: "RSA", n: publicJwk.n, e: publicJwk.e, alg: "RS256", key_ops: ["verify"] };
  const accepted = await postPublicKey(emulator.baseUrl, channelId, verifyOnly);
  assert.equal(accepted.status, 200);
  assert.match(accepted.body.kid!, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  assert.equal((await postPublicKey(emulator.baseUrl, "999", publicJwk)).status, 404);
});

test("an assertion within every rule issues a token whose key ID is listed as valid", async (t) => {
  const issuer = await lineIssuer(t);
  const issued = await issueChannelToken(issuer.endpoint, issuer.key, 3600);
  assert.equal(issued.token_type, "Bearer");
  assert.equal(issued.expires_in, 3600);
  assert.match(issued.access_token, /^eyJ[\w-]+\.[\w-]+\.[\w-]+$/);
  assert.match(issued.key_id, /^[\w-]{22}$/);
  assert.deepEqual(await fetchValidKeyIds(issuer.endpoint, issuer.key), [issued.key_id]);
  // The longest allowed lifetimes are accepted: 30 minutes of assertion, 30 days of token.
  const longest = await assertion(issuer, { exp: seconds() + 1800, token_exp: 2_592_000 });
  assert.equal((await issueWith(issuer.endpoint.baseUrl, longest)).status, 200);
});

test("an assertion breaking one rule is refused with a message naming the rule", async (t) => {
  const issuer = await lineIssuer(t);
  const stranger = await generateAssertionKeyPair();
  const cases: [string, Promise<string>, RegExp][] = [
    ["expired", assertion(issuer, { exp: seconds() - 5 }), /expired at/],
    ["exp too far", assertion(issuer, { exp: seconds() + 1860 }), /at most 30 minutes/],
    [
      "wrong aud",
      assertion(issuer, { aud: "https://api.line.biz/" }),
      /aud must be https:\/\/api\.line\.me\//,
    ],
    ["iss ≠ sub", assertion(issuer, { sub: "1657000002" }), /sub must equal iss/],
    ["unknown kid", assertion(issuer, {}, { kid: "f00dfeed-0000-0000-0000-000000000000" }), /kid .* is not/],
    ["bad signature", assertion(issuer, {}, {}, stranger.privateJwk), /signature does not verify/],
    ["token_exp too long", assertion(issuer, { token_exp: 2_592_001 }), /at most 30 days/],
    ["no token_exp", assertion(issuer, { token_exp: undefined }), /token_exp .* is required/],
    ["HS256", assertion(issuer, {}, { alg: "HS256" }), /alg must be RS256/],
    ["typ", assertion(issuer, {}, { typ: "at+jwt" }), /typ must be JWT/],
    ["unknown channel", assertion(issuer, { iss: "42", sub: "42" }), /not a channel ID/],
  ];
  for (const [rule, made, why] of cases) {
    const answer = await issueWith(issuer.endpoint.baseUrl, await made);
    assert.equal(answer.status, 400, rule);
    assert.equal(answer.body.error, "invalid_client", rule);
    assert.match(String(answer.body.error_description), why, rule);
  }
  // The key-ID list checks the same rules (and has no use for token_exp).
  const expired = await assertion(issuer, { exp: seconds() - 5 });
  const query = new URLSearchParams({
    client_assertion_type: clientAssertionType,
    client_assertion: expired,
  });
  const listing = await fetch(`${issuer.endpoint.baseUrl}/oauth2/v2.1/tokens/kid?${query}`);
  assert.equal(listing.status, 400);
  assert.match(((await listing.json()) as { error_description: string }).error_description, /expired at/);
  assert.equal((await issueWith(issuer.endpoint.baseUrl, "not-a-jwt")).status, 400);
});

test("the assertion builder refuses what LINE would refuse", async () => {
  const { privateJwk, publicJwk } = await generateAssertionKeyPair();
  const key = { channelId, kid: "k", privateJwk };
  await assert.rejects(buildClientAssertion(key, { lifetimeSeconds: 1801 }), /1 to 1800 s/);
  await assert.rejects(buildClientAssertion(key, { tokenExpSeconds: 2_592_001 }), /30 days/);
  await assert.rejects(buildClientAssertion({ ...key, privateJwk: publicJwk }), /holds a public key/);
  const made = await buildClientAssertion(key, { tokenExpSeconds: 60, now: 1_750_000_000_000 });
  assert.deepEqual(decodeProtectedHeader(made), { alg: "RS256", typ: "JWT", kid: "k" });
  assert.deepEqual(decodeJwt(made), {
    iss: channelId,
    sub: channelId,
    aud: "https://api.line.me/",
    exp: 1_750_000_300,
    token_exp: 60,
  });
});

test("revoking needs the channel secret; a revoked token's key ID is no longer listed", async (t) => {
  const issuer = await lineIssuer(t);
  const first = await issueChannelToken(issuer.endpoint, issuer.key, 3600);
  const second = await issueChannelToken(issuer.endpoint, issuer.key, 3600);
  await assert.rejects(
    revokeChannelToken(issuer.endpoint, { ...channel, channelSecret: "wrong" }, first.access_token),
    /400 \(invalid_client/,
  );
  await revokeChannelToken(issuer.endpoint, channel, first.access_token);
  await revokeChannelToken(issuer.endpoint, channel, "never-issued"); // LINE answers 200 here too
  assert.deepEqual(await fetchValidKeyIds(issuer.endpoint, issuer.key), [second.key_id]);
});

test("a channel keeps at most 30 valid tokens: the oldest is revoked by the 31st", async (t) => {
  const issuer = await lineIssuer(t);
  const issued = [];
  for (let i = 0; i < 31; i++) issued.push(await issueChannelToken(issuer.endpoint, issuer.key, 600));
  const kids = await fetchValidKeyIds(issuer.endpoint, issuer.key);
  assert.equal(kids.length, 30);
  assert.ok(!kids.includes(issued[0]!.key_id));
  assert.deepEqual(
    kids,
    issued.slice(1).map((i) => i.key_id),
  );
});
