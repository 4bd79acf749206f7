import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import type { CliResult } from "../helpers/cli.js";
import { runCli } from "../helpers/cli.js";
import { liveRows, writeDump, writeMapping } from "../helpers/dumps.js";
import { bearer, serviceId, withEmulator } from "../helpers/emulator.js";
import { demoFile, demoMigrateArgs } from "../helpers/demo.js";
import { tempDir } from "../helpers/paths.js";

function demoTokenValues(): string[] {
  const rows = JSON.parse(readFileSync(demoFile("tokens.json"), "utf8")) as {
    token: string;
    refresh_token: string | null;
  }[];
  return rows.flatMap((r) => [r.token, r.refresh_token]).filter((v): v is string => typeof v === "string");
}

test("no token value and no bearer reach the ledger, stdout or stderr, on success and on every failure path", async (t) => {
  const dir = tempDir(t);
  const { emulator } = await withEmulator(t, { faults: { lostResponseRate: 0.2, errorRate: 0.1, seed: 11 } });
  const rows = liveRows(40);
  rows[3]!.scopes = "admin"; // refused by Authlete: a 400 whose SDK error carries the request body
  const dump = writeDump(dir, "tokens.csv", rows);
  const mapping = writeMapping(dir);
  const env = {
    AUTHLETE_BASE_URL: emulator.baseUrl,
    AUTHLETE_SERVICE_ID: serviceId,
    AUTHLETE_BEARER: bearer,
    AUTHLETE_DEBUG: "1",
  };
  const ledger = join(dir, "ledger.db");
  const outputs: CliResult[] = [
    await runCli(demoMigrateArgs(join(dir, "dry.db"), ["--dry-run"])),
    await runCli(demoMigrateArgs(join(dir, "demo.db"), ["--json"], "tokens.ndjson"), env),
    await runCli(["migrate", dump, "--mapping", mapping, "--ledger", ledger, "--rate", "1000"], env),
    await runCli(["migrate", dump, "--mapping", mapping, "--ledger", ledger, "--json"], env),
    await runCli(["migrate", dump, "--mapping", mapping, "--ledger", join(dir, "x.db")], {
      ...env,
      AUTHLETE_BEARER: `${bearer}-wrong`,
    }),
    await runCli(["status", "--ledger", ledger]),
    await runCli(["status", "--ledger", ledger, "--json"]),
  ];
  assert.ok(emulator.store.stats().tokens > 30, "the live runs did create tokens");

  const secrets = [
    ...rows.flatMap((r) => [r.token, r.refresh_token]).filter((v): v is string => v !== null),
    ...demoTokenValues(),
    bearer,
  ];
  const texts: [string, string][] = outputs.flatMap((o, i) => [
    [`stdout of command ${i}`, o.stdout],
    [`stderr of command ${i}`, o.stderr],
  ]);
  for (const file of readdirSync(dir).filter((f) => /\.db(-wal|-shm)?$/.test(f))) {
    texts.push([file, readFileSync(join(dir, file)).toString("latin1")]);
    if (file.endsWith(".db"))
      assert.equal(statSync(join(dir, file)).mode & 0o777, 0o600, `${file} is created 0600`);
  }
  assert.ok(existsSync(ledger));
  let scanned = 0;
  for (const [where, text] of texts) {
    for (const secret of secrets) {
      scanned++;
      assert.ok(!text.includes(secret), `${where} contains a secret (${secret.slice(0, 4)}…)`);
    }
  }
  assert.ok(scanned > 1000);
  t.diagnostic(
    `secrets audit: ${secrets.length} secrets × ${texts.length} outputs and ledger files = ${scanned} scans, 0 hits`,
  );
});
