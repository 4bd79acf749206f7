import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import type { RunSummary } from "../../src/run/index.js";
import { runCli } from "../helpers/cli.js";
import { generatedMapping, liveRows, writeDump, writeMapping } from "../helpers/dumps.js";
import { authleteEnv, defaultSeed, withEmulator } from "../helpers/emulator.js";
import { tempDir } from "../helpers/paths.js";

test("--check-service reports each finding before any write, and a live run refuses to start on errors", async (t) => {
  const dir = tempDir(t);
  const seed = defaultSeed();
  seed.services[0]!.supportedGrantTypes = seed.services[0]!.supportedGrantTypes.filter(
    (g) => g !== "REFRESH_TOKEN",
  );
  seed.services[0]!.supportedScopes = seed.services[0]!.supportedScopes.filter((s) => s !== "profile");
  seed.clients = seed.clients.filter((c) => c.clientIdAlias !== "mobile-app");
  seed.clients[0]!.grantTypes = ["PASSWORD"];
  const { emulator } = await withEmulator(t, { seed });
  const env = authleteEnv(emulator);
  const rows = liveRows(4);
  rows.push({ ...rows[0]!, token: `${rows[0]!.token.slice(0, 40)}xyz` }); // a second live token for user0 at web
  const dump = writeDump(dir, "t.csv", rows);
  const mapping = writeMapping(dir, generatedMapping);

  const dry = await runCli(
    [
      "migrate",
      dump,
      "--mapping",
      mapping,
      "--ledger",
      join(dir, "a.db"),
      "--dry-run",
      "--check-service",
      "--json",
    ],
    env,
  );
  const findings = (JSON.parse(dry.stdout) as RunSummary).serviceFindings!;
  assert.deepEqual(findings.map((f) => f.code).sort(), [
    "client_not_in_service",
    "grant_type_not_allowed",
    "refresh_not_supported",
    "scope_not_supported",
    "several_live_tokens_per_subject",
  ]);
  assert.equal(findings.find((f) => f.code === "several_live_tokens_per_subject")?.severity, "warning");
  assert.equal(emulator.store.stats().calls["auth/token/create"], undefined, "read-only");

  const live = await runCli(
    ["migrate", dump, "--mapping", mapping, "--ledger", join(dir, "b.db"), "--check-service"],
    env,
  );
  assert.equal(live.code, 2);
  assert.match(
    live.stderr,
    /the service is not ready for this dump: .*does not exist in the service.*\[config_invalid\]/,
  );
  assert.equal(emulator.store.stats().calls["auth/token/create"], undefined, "nothing was written");

  const ready = await withEmulator(t);
  const ok = await runCli(
    ["migrate", dump, "--mapping", mapping, "--ledger", join(dir, "c.db"), "--dry-run", "--check-service"],
    {
      ...env,
      AUTHLETE_BASE_URL: ready.emulator.baseUrl,
    },
  );
  assert.match(ok.stdout, /Service check:[\s\S]*warning: 1 subject\(s\) have several live tokens/);
  assert.doesNotMatch(ok.stdout, /error:/);
});

test("a dry run predicts the live run: rows the service would refuse are would-reject (exit 1), and blocking findings say so", async (t) => {
  const dir = tempDir(t);
  const seed = defaultSeed();
  seed.services[0]!.supportedScopes = seed.services[0]!.supportedScopes.filter((s) => s !== "profile");
  const { emulator } = await withEmulator(t, { seed });
  const env = authleteEnv(emulator);
  const dump = writeDump(dir, "t.csv", liveRows(4)); // rows 1 and 3 ask for "openid profile"
  const mapping = writeMapping(dir, generatedMapping);
  const run = (ledger: string, extra: string[]) =>
    runCli(["migrate", dump, "--mapping", mapping, "--ledger", join(dir, ledger), ...extra], env);
  const outcome = (s: RunSummary) => [s.created, s.rejected, s.reasons];

  const dry = await run("dry.db", ["--dry-run", "--check-service", "--json"]);
  assert.equal(dry.code, 1, "rows a live run would lose are not an exit-0 dry run");
  const predicted = JSON.parse(dry.stdout) as RunSummary;
  assert.deepEqual(outcome(predicted), [2, 2, { scope_not_supported: 2 }]);
  assert.deepEqual(
    predicted.serviceFindings?.filter((f) => f.severity === "error").map((f) => [f.code, f.blocking]),
    [["scope_not_supported", true]],
  );
  assert.deepEqual(predicted.scopeCoverage, {
    used: ["openid", "orders:read", "profile"],
    unsupported: ["profile"],
  });
  const text = await run("dry-text.db", ["--dry-run", "--check-service", "--report", join(dir, "report")]);
  assert.match(
    readFileSync(join(dir, "report", "report.html"), "utf8"),
    /<section id="scopes"><h2>Scope coverage<\/h2><ul><li class="ok">openid<\/li><li class="ok">orders:read<\/li><li class="bad">profile — not supported: its rows are rejected<\/li><\/ul>/,
  );
  const unchecked = await run("dry-plain.db", ["--dry-run"]);
  assert.match(unchecked.stdout, /Not checked against the service: a live run may still reject rows/);
  assert.match(
    text.stdout,
    /BLOCKING \(a live run with these options will not start\): scope "profile" is not supported/,
  );

  // Without the strict check the live run starts, and does what the dry run counted.
  const live = await run("live.db", ["--json"]);
  assert.equal(live.code, 1, live.stderr);
  assert.deepEqual(outcome(JSON.parse(live.stdout) as RunSummary), outcome(predicted));
  assert.equal(emulator.store.stats().calls["auth/token/create"], 2, "the refused rows were never sent");
});
