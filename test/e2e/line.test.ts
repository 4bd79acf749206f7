import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { appendFileSync, chmodSync, existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import type { JWK } from "jose";
import type { RunSummary } from "../../src/run/index.js";
import { revokeChannelToken } from "../../src/line/issuer-client.js";
import { tokenHash } from "../../src/shared/hash.js";
import { issueAndLog, registerPublicKey } from "../../scripts/lib/line-client.js";
import { runCli } from "../helpers/cli.js";
import { authleteEnv, billingService, withEmulator } from "../helpers/emulator.js";
import { rowFates } from "../helpers/ledger.js";
import { tempDir } from "../helpers/paths.js";

const readJwk = (file: string) => JSON.parse(readFileSync(file, "utf8")) as JWK;

test("keygen writes a private key only its owner reads and a registrable public key, and never overwrites", async (t) => {
  const dir = tempDir(t);
  const [priv, pub] = [join(dir, "p.jwk.json"), join(dir, "pub.jwk.json")];
  const made = await runCli(["keygen", "--private-key", priv, "--public-key", pub]);
  assert.equal(made.code, 0, made.stderr);
  assert.equal(statSync(priv).mode & 0o777, 0o600);
  const publicJwk = readJwk(pub);
  assert.deepEqual(Object.keys(publicJwk).sort(), ["alg", "e", "kty", "n", "use"]);
  assert.equal(typeof readJwk(priv).d, "string");
  assert.deepEqual(
    JSON.parse(made.stdout.split("\n")[0]!),
    publicJwk,
    "stdout shows the public key to paste",
  );
  assert.ok(!made.stdout.includes(readJwk(priv).d!), "the private key is never printed");
  const again = await runCli(["keygen", "--private-key", priv, "--public-key", join(dir, "other.json")]);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /exists; keygen never overwrites a key/);
});

test("LINE v2.1: tokens issued with a keygen key, some revoked, only the valid ones migrated; later revocations caught up", async (t) => {
  const dir = tempDir(t);
  const { emulator } = await withEmulator(t);
  const issuer = { baseUrl: emulator.baseUrl };
  const channelOf = async (channelId: string) => {
    const [priv, pub] = [
      join(dir, `${channelId}.private.jwk.json`),
      join(dir, `${channelId}.public.jwk.json`),
    ];
    assert.equal((await runCli(["keygen", "--private-key", priv, "--public-key", pub])).code, 0);
    const kid = await registerPublicKey(emulator.baseUrl, channelId, readJwk(pub));
    return { priv, key: { channelId, kid, privateJwk: readJwk(priv) } };
  };
  const one = await channelOf("1657000001");
  const two = await channelOf("1657000002");
  const log = join(dir, "issue-log.ndjson");
  const issued = await issueAndLog(issuer, one.key, 4, 7 * 86_400, log);
  const unconfigured = await issueAndLog(issuer, two.key, 1, 86_400, log);
  // A logged answer without its key ID, and one long expired (LINE lists neither).
  const orphan = {
    access_token: randomBytes(40).toString("base64url"),
    expires_in: 86_400,
    token_type: "Bearer",
  };
  const old = {
    ...orphan,
    access_token: randomBytes(40).toString("base64url"),
    key_id: "qaaeP3d7z7uCk7q_LbezAw",
  };
  const dayAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();
  appendFileSync(
    log,
    [
      { channel_id: "1657000001", issued_at: dayAgo(0), response: orphan },
      { channel_id: "1657000001", issued_at: dayAgo(40), response: { ...old, expires_in: 2_592_000 } },
    ]
      .map((entry) => `${JSON.stringify(entry)}\n`)
      .join(""),
  );
  const secret = { channelId: "1657000001", channelSecret: "line-channel-secret-1657000001" };
  await revokeChannelToken(issuer, secret, issued[1]!.response.access_token);

  const mapping = join(dir, "mapping.json");
  const lineQuery = (kid: string) => ({ channels: { "1657000001": { privateKey: one.priv, kid } } });
  const writeMapping = (kid: string) =>
    writeFileSync(
      mapping,
      JSON.stringify({
        extends: "line-channel-access-token-v2.1",
        clients: { "1657000001": billingService, "1657000002": billingService },
        validKeyIds: { column: "response.key_id", line: lineQuery(kid) },
      }),
    );
  const ledger = join(dir, "l.db");
  const migrate = () =>
    runCli(
      [
        "migrate",
        log,
        "--mapping",
        mapping,
        "--ledger",
        ledger,
        "--json",
        "--line-base-url",
        emulator.baseUrl,
      ],
      authleteEnv(emulator),
    );

  // A kid LINE does not know stops the run before anything is sent, and says which rule failed.
  writeMapping("f00dfeed-0000-0000-0000-000000000000");
  const refused = await migrate();
  assert.equal(refused.code, 2);
  assert.match(
    refused.stderr,
    /channel 1657000001: \/oauth2\/v2\.1\/tokens\/kid answered 400 \(invalid_client: kid/,
  );
  assert.doesNotMatch(refused.stderr, /eyJ/, "the assertion is a credential: never in an error");
  assert.equal(emulator.store.stats().tokens, 0);

  writeMapping(one.key.kid);
  // A shared mapping cannot send the assertion elsewhere than LINE: only the command line can, and says so.
  writeFileSync(
    mapping,
    JSON.stringify({
      extends: "line-channel-access-token-v2.1",
      clients: { "1657000001": billingService },
      validKeyIds: {
        column: "response.key_id",
        line: { ...lineQuery(one.key.kid), baseUrl: emulator.baseUrl },
      },
    }),
  );
  const elsewhere = await migrate();
  assert.equal(elsewhere.code, 2);
  assert.match(
    elsewhere.stderr,
    /validKeyIds\.line\.baseUrl may only be LINE's own https:\/\/api\.line\.me.*--line-base-url.*\[mapping_invalid\]/,
  );
  writeMapping(one.key.kid);
  const first = await migrate();
  assert.match(
    first.stderr,
    /LINE client assertions go to http:\/\/127\.0\.0\.1:\d+ \(--line-base-url\), not to LINE/,
  );
  assert.equal(first.code, 1, first.stderr); // a rejected row: the channel without a configured key
  assert.deepEqual(rowFates(ledger), {
    1: "created",
    2: "skipped:revoked_in_source",
    3: "created",
    4: "created",
    5: "rejected:key_id_unverifiable",
    6: "rejected:key_id_unverifiable",
    7: "skipped:expired",
  });
  const held = (i: { response: { access_token: string } }) =>
    emulator.store.byAccessHash(tokenHash(i.response.access_token));
  assert.deepEqual(
    issued.map((i) => held(i) !== undefined),
    [true, false, true, true],
  );
  assert.equal(held(unconfigured[0]!), undefined);
  const migrated = held(issued[0]!)!;
  assert.deepEqual(
    [migrated.clientId, migrated.grantType, migrated.properties],
    [
      billingService,
      "CLIENT_CREDENTIALS",
      [{ key: "line_key_id", value: issued[0]!.response.key_id, hidden: true }],
    ],
  );
  const legacyExpiry = Date.parse(issued[0]!.issued_at) + 7 * 86_400_000;
  assert.ok(migrated.accessExpiresAt! <= legacyExpiry && legacyExpiry - migrated.accessExpiresAt! <= 3000);

  // Neither a token nor the private key reaches the ledger or the output.
  const secrets = [...issued, ...unconfigured]
    .map((i) => i.response.access_token)
    .concat(one.key.privateJwk.d!);
  const written = [ledger, `${ledger}-wal`]
    .filter((f) => existsSync(f))
    .map((f) => readFileSync(f).toString("latin1"))
    .concat(first.stdout, first.stderr, refused.stdout, refused.stderr)
    .join("\n");
  assert.deepEqual(
    secrets.filter((v) => written.includes(v)),
    [],
  );

  // The same answer, saved for a later run (validKeyIds.file) or for the record.
  const kidsFile = join(dir, "kids.json");
  const saved = await runCli(
    ["line-kids", "--mapping", mapping, "--out", kidsFile].concat(["--line-base-url", emulator.baseUrl]),
  );
  assert.equal(saved.code, 0, saved.stderr);
  assert.match(saved.stderr, /3 valid key ID\(s\) for 1 channel\(s\)/);
  assert.deepEqual(
    (JSON.parse(readFileSync(kidsFile, "utf8")) as { kids: string[] }).kids.sort(),
    [issued[0]!, issued[2]!, issued[3]!].map((i) => i.response.key_id).sort(),
  );

  // LINE revokes one more after the migration: the rerun deletes it from Authlete too.
  await revokeChannelToken(issuer, secret, issued[2]!.response.access_token);
  assert.doesNotMatch(first.stderr, /readable by other users/, "keygen wrote the private key 0600");
  chmodSync(one.priv, 0o644);
  const rerun = await migrate();
  assert.match(rerun.stderr, /the LINE assertion private key .* is readable by other users \(mode 644\)/);
  const summary = JSON.parse(rerun.stdout) as RunSummary;
  assert.equal(summary.reasons.revoked_since_migration, 1, rerun.stdout);
  assert.equal(summary.created, 0);
  assert.deepEqual(
    issued.map((i) => held(i) !== undefined),
    [true, false, false, true],
  );
});
