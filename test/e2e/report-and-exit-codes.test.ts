import assert from "node:assert/strict";
import { createServer } from "node:net";
import { join } from "node:path";
import { test } from "node:test";
import { runCli } from "../helpers/cli.js";
import { liveRows, writeDump, writeMapping } from "../helpers/dumps.js";
import {
  authleteEnv,
  bearer,
  billingService,
  mobileApp,
  serviceId,
  webApp,
  withEmulator,
} from "../helpers/emulator.js";
import { demoFile, demoMigrateArgs } from "../helpers/demo.js";
import { tempDir } from "../helpers/paths.js";

test("the dry-run report matches the hand-computed outcome of the demo fixture, and exits 1", async (t) => {
  const dir = tempDir(t);
  const result = await runCli(demoMigrateArgs(join(dir, "l.db"), ["--dry-run", "--json", "--rate", "7"]));
  assert.equal(result.code, 1, result.stderr);
  const s = JSON.parse(result.stdout) as Record<string, unknown>;
  // Rows 1, 2, 5, 6, 7 and 12 are live, row 3 is refresh-only (7 to create); 4 is revoked, 8 expired,
  // 10 repeats row 1's token; 9 has an unmapped client and 11 no subject.
  assert.deepEqual([s.dryRun, s.rows, s.created, s.skipped, s.rejected, s.failed], [true, 12, 7, 3, 2, 0]);
  assert.deepEqual(s.reasons, {
    revoked: 1,
    expired: 1,
    duplicate_in_source: 1,
    client_unknown: 1,
    subject_missing: 1,
  });
  const at = (line: number) => `${demoFile("tokens.csv")}:${line}`;
  assert.deepEqual(s.firstRows, {
    revoked: [at(5)],
    expired: [at(9)],
    client_unknown: [at(10)],
    duplicate_in_source: [at(11)],
    subject_missing: [at(12)],
  });
  assert.deepEqual(s.unmappedClients, { "legacy-partner-uid": 1 });
  // Every row under its client (Authlete's ID when mapped), the duplicate row 10 moved to skipped.
  const counts = (created: number, skipped: number, rejected: number) => ({
    created,
    skipped,
    rejected,
    failed: 0,
    pending: 0,
  });
  assert.deepEqual(s.perClient, {
    [webApp]: counts(3, 2, 1), // rows 1, 2, 7 | 4 revoked, 10 duplicate | 11 no subject
    [mobileApp]: counts(3, 0, 0), // rows 3, 5, 12
    [billingService]: counts(1, 1, 0), // row 6 | 8 expired
    "legacy-partner-uid": counts(0, 0, 1), // row 9
  });
  assert.deepEqual(s.lifetimes, {
    "< 1 h": 1,
    "1 h – 1 d": 4,
    "1 d – 7 d": 0,
    "7 d – 30 d": 0,
    "> 30 d": 0,
    "never expires": 1,
    "refresh-only": 1,
  });
  assert.equal(s.estimatedSeconds, 1, "7 creates at 7/s");

  const human = await runCli(demoMigrateArgs(join(dir, "l.db"), ["--dry-run"]));
  assert.match(human.stdout, /would create\s+7/);
  assert.match(human.stdout, /legacy-partner-uid\s+1/);
  assert.match(human.stdout, /Estimated duration of the real run/);
});

test("exit 0 when every row is final and none is rejected", async (t) => {
  const dir = tempDir(t);
  const { emulator } = await withEmulator(t);
  const dump = writeDump(dir, "clean.csv", liveRows(4));
  const env = authleteEnv(emulator);
  const result = await runCli(
    ["migrate", dump, "--mapping", writeMapping(dir), "--ledger", join(dir, "l.db")],
    env,
  );
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /created\s+4/);
});

test("exit 2 for usage and configuration errors, before any row is processed", async (t) => {
  const dir = tempDir(t);
  const dump = writeDump(dir, "clean.csv", liveRows(2));
  const mapping = writeMapping(dir);
  const ledger = join(dir, "l.db");
  const cases: [string[], Record<string, string>, RegExp][] = [
    [
      [
        "migrate",
        dump,
        "--mapping",
        writeMapping(dir, { columns: { accessToken: "token" }, colour: 1 }, "bad.json"),
      ],
      {},
      /unknown key\(s\) "colour"/,
    ],
    [
      ["migrate", dump, "--mapping", mapping, "--concurrency", "0"],
      {},
      /--concurrency must be a positive number/,
    ],
    [
      ["migrate", dump, "--mapping", mapping, "--writers", "1.5"],
      {},
      /--writers must be a whole number from 0 to 64/,
    ],
    [["migrate", join(dir, "missing.csv"), "--mapping", mapping], {}, /source file not found/],
    [
      ["migrate", dump, "--mapping", mapping],
      { AUTHLETE_BASE_URL: "http://authlete.example.com", AUTHLETE_SERVICE_ID: "1", AUTHLETE_BEARER: "b" },
      /not HTTPS/,
    ],
    [
      ["migrate", dump, "--mapping", mapping],
      { AUTHLETE_BASE_URL: "https://us.authlete.com", AUTHLETE_SERVICE_ID: "1" },
      /no Authlete bearer/,
    ],
    [["migrate", dump, "--mapping", mapping, "--bearer", "secret"], {}, /Unknown argument/],
  ];
  for (const [args, env, message] of cases) {
    const result = await runCli([...args, "--ledger", ledger], env);
    assert.equal(result.code, 2, `${args.join(" ")}: ${result.stderr}`);
    assert.match(result.stderr, message);
    assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
  }
});

test("exit 3 when Authlete refuses the credentials or cannot be reached, with nothing recorded as failed", async (t) => {
  const dir = tempDir(t);
  const { emulator } = await withEmulator(t);
  const dump = writeDump(dir, "clean.csv", liveRows(3));
  const mapping = writeMapping(dir);
  const wrong = await runCli(["migrate", dump, "--mapping", mapping, "--ledger", join(dir, "a.db")], {
    AUTHLETE_BASE_URL: emulator.baseUrl,
    AUTHLETE_SERVICE_ID: serviceId,
    AUTHLETE_BEARER: "wrong-bearer",
  });
  assert.equal(wrong.code, 3, wrong.stderr);
  assert.match(wrong.stderr, /refused the credentials.*\[authentication_failed\]/);
  assert.equal(emulator.store.stats().calls["auth/token/create"], undefined, "no create was attempted");

  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
  const port = (closed.address() as { port: number }).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  const unreachable = await runCli(["migrate", dump, "--mapping", mapping, "--ledger", join(dir, "b.db")], {
    AUTHLETE_BASE_URL: `http://127.0.0.1:${port}`,
    AUTHLETE_SERVICE_ID: serviceId,
    AUTHLETE_BEARER: bearer,
  });
  assert.equal(unreachable.code, 3, unreachable.stderr);
  assert.match(unreachable.stderr, /cannot be reached.*\[service_unreachable\]/);
});
