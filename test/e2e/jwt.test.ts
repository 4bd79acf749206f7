import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import Database from "better-sqlite3";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { tokenHash } from "../../src/shared/hash.js";
import { runCli } from "../helpers/cli.js";
import { authleteEnv, webApp, withEmulator } from "../helpers/emulator.js";
import { tempDir } from "../helpers/paths.js";

test("JWT access tokens: missing columns are filled from the claims, signatures are checked against the JWKS", async (t) => {
  const dir = tempDir(t);
  const { emulator } = await withEmulator(t);
  const issuer = await generateKeyPair("RS256");
  const forger = await generateKeyPair("RS256");
  writeFileSync(
    join(dir, "jwks.json"),
    JSON.stringify({
      keys: [{ ...(await exportJWK(issuer.publicKey)), kid: "k1", alg: "RS256", use: "sig" }],
    }),
  );
  const exp = Math.floor(Date.now() / 1000) + 3600;
  const sign = (key: CryptoKey, claims: Record<string, unknown>) =>
    new SignJWT({ client_id: "web", scope: "openid profile", sub: "alice", ...claims })
      .setProtectedHeader({ alg: "RS256", kid: "k1" })
      .setIssuedAt()
      .setExpirationTime(exp)
      .sign(key);
  const valid = await sign(issuer.privateKey, {
    cnf: { jkt: "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I" },
  });
  const forged = await sign(forger.privateKey, { sub: "bob" });
  const contradicting = await sign(issuer.privateKey, { sub: "carol" });
  writeFileSync(
    join(dir, "tokens.csv"),
    `token,user,client\n${valid},,\n${forged},,\n${contradicting},mallory,\n`,
  );
  writeFileSync(
    join(dir, "mapping.json"),
    JSON.stringify({
      columns: { accessToken: "token", subject: "user", clientId: "client" },
      clients: { web: webApp },
      jwt: { claims: true, jwks: "jwks.json" },
    }),
  );
  const ledger = join(dir, "l.db");
  const result = await runCli(
    ["migrate", join(dir, "tokens.csv"), "--mapping", join(dir, "mapping.json"), "--ledger", ledger],
    authleteEnv(emulator),
  );
  assert.equal(result.code, 1, result.stderr);

  const db = new Database(ledger, { readonly: true });
  t.after(() => db.close());
  const fates = db.prepare("SELECT row_no, state, reason FROM entries ORDER BY row_no").all();
  assert.deepEqual(fates, [
    { row_no: 1, state: "created", reason: null },
    { row_no: 2, state: "rejected", reason: "jwt_signature_invalid" },
    { row_no: 3, state: "rejected", reason: "jwt_claims_mismatch" },
  ]);
  const stored = emulator.store.byAccessHash(tokenHash(valid))!;
  assert.deepEqual(
    [stored.subject, stored.clientId, stored.scopes],
    ["alice", webApp, ["openid", "profile"]],
  );
  assert.equal(
    stored.dpopKeyThumbprint,
    "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I",
    "cnf.jkt becomes the DPoP thumbprint",
  );
  assert.ok(
    stored.accessExpiresAt! <= exp * 1000 && exp * 1000 - stored.accessExpiresAt! <= 2000,
    "exp becomes the expiry",
  );
  assert.equal(emulator.store.byAccessHash(tokenHash(forged)), undefined, "a forged token is never sent");
});
