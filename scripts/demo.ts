// The demo: start the emulator, dry-run, migrate, rerun (nothing is sent twice), show the ledger; then a
// LINE v2.1 source: keygen, issue tokens from the emulator's LINE-style issuer, revoke some, migrate the rest.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { JWK } from "jose";
import { revokeChannelToken } from "../src/line/issuer-client.js";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { issueAndLog, registerPublicKey } from "./lib/line-client.js";
import { cliPath, emulatorEnv, spawnEmulator, type SpawnedEmulator } from "./lib/spawn-emulator.js";

const fixture = (name: string) => fileURLToPath(new URL(`../../fixtures/demo/${name}`, import.meta.url));
const now = "2025-06-01T12:00:00Z";
const dir = mkdtempSync(join(tmpdir(), "authlete-migrate-demo-"));
const ledger = join(dir, "demo.db");
const emulator = await spawnEmulator(["--now", now]);
const env = emulatorEnv(emulator);

function step(title: string, args: string[], stepEnv = env): number {
  console.log(`\n=== ${title}\n$ authlete-migrate ${args.join(" ")}\n`);
  const result = spawnSync(process.execPath, [cliPath, ...args], { env: stepEnv, stdio: "inherit" });
  console.log(`(exit code ${result.status})`);
  return result.status ?? 3;
}

async function emulatorState(on: SpawnedEmulator) {
  return (await (await fetch(`${on.baseUrl}/__emulator/state`)).json()) as {
    calls: Record<string, number>;
    tokensStored: number;
  };
}

async function createCalls(): Promise<number> {
  return (await emulatorState(emulator)).calls["auth/token/create"] ?? 0;
}

/** LINE v2.1: only the tokens the issuer still lists as valid reach Authlete. Returns whether it held. */
async function lineDemo(): Promise<boolean> {
  // On the real clock: LINE checks an assertion's exp against the time it is made.
  const line = await spawnEmulator();
  try {
    const [privateKey, publicKey] = [join(dir, "line-private.jwk.json"), join(dir, "line-public.jwk.json")];
    if (
      step("5. LINE v2.1: an assertion signing key", [
        "keygen",
        "--private-key",
        privateKey,
        "--public-key",
        publicKey,
      ])
    )
      return false;
    const channelId = "1657000001";
    const readJwk = (file: string) => JSON.parse(readFileSync(file, "utf8")) as JWK;
    const kid = await registerPublicKey(line.baseUrl, channelId, readJwk(publicKey));
    const log = join(dir, "line-issue-log.ndjson");
    const issuer = { baseUrl: line.baseUrl };
    const issued = await issueAndLog(
      issuer,
      { channelId, kid, privateJwk: readJwk(privateKey) },
      5,
      7 * 86_400,
      log,
    );
    const secret = { channelId, channelSecret: `line-channel-secret-${channelId}` };
    for (const revoked of issued.slice(3))
      await revokeChannelToken(issuer, secret, revoked.response.access_token);
    console.log(
      `\nRegistered the public key with the emulator's LINE issuer (kid ${kid}), issued 5 tokens with ` +
        `client assertions into ${log}, and revoked 2 of them at the issuer.`,
    );
    const mapping = join(dir, "line-mapping.json");
    writeFileSync(
      mapping,
      JSON.stringify(
        {
          extends: "line-channel-access-token-v2.1",
          clients: { [channelId]: 26888344961666 },
          validKeyIds: {
            column: "response.key_id",
            line: { channels: { [channelId]: { privateKey, kid } } },
          },
        },
        null,
        2,
      ),
    );
    console.log(`\n${mapping}:\n${readFileSync(mapping, "utf8")}`);
    // The emulator stands in for LINE: only the command line may send the assertions elsewhere.
    const args = ["migrate", log, "--mapping", mapping, "--ledger", join(dir, "line.db")].concat([
      "--line-base-url",
      line.baseUrl,
    ]);
    const migrated = step(
      "6. LINE v2.1: migrate the tokens the issuer still lists as valid",
      args,
      emulatorEnv(line),
    );
    const stored = (await emulatorState(line)).tokensStored;
    console.log(`\nTokens in Authlete: ${stored} (3 valid, 2 revoked at the issuer and skipped).`);
    return migrated === 0 && stored === 3;
  } finally {
    await line.stop();
  }
}

let failed = false;
try {
  const common = [
    fixture("tokens.csv"),
    "--mapping",
    fixture("mapping.json"),
    "--ledger",
    ledger,
    "--now",
    now,
  ];
  // Exit 1 is expected: the fixture holds rows that must be rejected (an unmapped client, a missing subject…).
  failed ||= step("1. Dry run: the validation report", ["migrate", ...common, "--dry-run"]) !== 1;
  failed ||= step("2. The real run", ["migrate", ...common]) !== 1;
  const afterFirst = await createCalls();
  failed ||= step("3. A rerun sends nothing twice", ["migrate", ...common]) !== 1;
  const afterSecond = await createCalls();
  console.log(
    `\nCreate calls seen by the emulator: ${afterFirst} after the first run, ${afterSecond} after the rerun.`,
  );
  failed ||= afterSecond !== afterFirst;
  failed ||= step("4. What the ledger says", ["status", "--ledger", ledger]) !== 0;
  failed ||= !(await lineDemo());
} finally {
  await emulator.stop();
  rmSync(dir, { recursive: true, force: true });
}
console.log(
  failed
    ? "\nDemo FAILED: an exit code or a count was not what it should be."
    : "\nDemo finished: every row has one recorded fate.",
);
process.exitCode = failed ? 1 : 0;
