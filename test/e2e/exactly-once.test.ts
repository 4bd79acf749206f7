import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { tokenManagementCreate } from "@authlete/typescript-sdk/funcs/tokenManagementCreate.js";
import type { RunningEmulator } from "../../src/emulator/index.js";
import type { RunSummary } from "../../src/run/index.js";
import { tokenHash } from "../../src/shared/hash.js";
import { runCli, startCli } from "../helpers/cli.js";
import { generatedMapping, liveRows, writeDump, writeMapping } from "../helpers/dumps.js";
import { authleteEnv, serviceId, webApp, withEmulator } from "../helpers/emulator.js";
import { ledgerStatus } from "../helpers/ledger.js";
import { tempDir } from "../helpers/paths.js";
import { until } from "../helpers/wait.js";

type Summary = RunSummary;

function assertEachStoredOnce(emulator: RunningEmulator, tokens: string[]): void {
  const { creates, tokens: stored } = emulator.store.stats();
  assert.equal(stored, tokens.length, "every expected token is stored, and nothing else");
  for (const token of tokens) assert.equal(creates[tokenHash(token)], 1, "created exactly once");
}

/** Waits until the emulator holds `count` tokens; fails loudly when it never does. */
function waitForTokens(emulator: RunningEmulator, count: number): Promise<void> {
  return until(() => emulator.store.stats().tokens >= count, `${count} tokens stored`, 30_000);
}

for (const signal of ["SIGINT", "SIGKILL"] as const) {
  test(`a run stopped by ${signal} midway resumes on rerun with every token created exactly once`, async (t) => {
    const dir = tempDir(t);
    const { emulator } = await withEmulator(t, { faults: { latencyMs: 40 } });
    const rows = liveRows(240);
    const args = [
      "migrate",
      writeDump(dir, "tokens.csv", rows),
      "--mapping",
      writeMapping(dir),
      "--ledger",
      join(dir, "l.db"),
      "--concurrency",
      "4",
      // Two writer threads whatever the machine's cores: the stop and the SIGKILL land on the pool.
      "--writers",
      "2",
      "--rate",
      "1000",
      "--json",
      "--grace-ms",
      "2000",
    ];
    const first = startCli(args, authleteEnv(emulator));
    await waitForTokens(emulator, 30);
    first.child.kill(signal);
    const stopped = await first.result;
    assert.ok(emulator.store.stats().tokens < rows.length, "the run was stopped midway");
    if (signal === "SIGINT") {
      assert.equal(stopped.code, 3, stopped.stderr);
      assert.match(stopped.stderr, /finishing in-flight requests/);
      const summary = JSON.parse(stopped.stdout) as Summary;
      assert.equal(summary.status, "interrupted");
      assert.equal(
        summary.created + summary.skipped + summary.rejected + summary.failed + summary.pending,
        summary.rows,
      );
    } else {
      assert.equal(stopped.signal, "SIGKILL");
    }

    const rerun = await runCli(args, authleteEnv(emulator));
    assert.equal(rerun.code, 0, rerun.stderr);
    const summary = JSON.parse(rerun.stdout) as Summary;
    assert.equal(summary.rows, rows.length);
    assert.equal(summary.created + summary.skipped, rows.length);
    assertEachStoredOnce(
      emulator,
      rows.map((r) => r.token),
    );
    const status = ledgerStatus(join(dir, "l.db"));
    assert.deepEqual(
      [status.states.created, status.states.pending, status.states.failed],
      [rows.length, 0, 0],
    );
  });
}

test("creates whose responses are lost are resolved by introspection, never created twice", async (t) => {
  const dir = tempDir(t);
  const { emulator } = await withEmulator(t, { faults: { lostResponseRate: 0.25, seed: 3 } });
  const rows = liveRows(80);
  const result = await runCli(
    [
      "migrate",
      writeDump(dir, "tokens.ndjson", rows),
      "--mapping",
      writeMapping(dir),
      "--ledger",
      join(dir, "l.db"),
      "--rate",
      "1000",
      "--json",
      "--timeout-ms",
      "2000",
    ],
    authleteEnv(emulator),
  );
  assert.equal(result.code, 0, result.stderr);
  const summary = JSON.parse(result.stdout) as Summary;
  assert.equal(summary.created, rows.length);
  assert.ok((summary.writer?.introspections ?? 0) > 0, "lost responses were looked up");
  assertEachStoredOnce(
    emulator,
    rows.map((r) => r.token),
  );
  assert.deepEqual(
    (
      (await (await fetch(`${emulator.baseUrl}/__emulator/state`)).json()) as {
        hashesCreatedMoreThanOnce: unknown[];
      }
    ).hashesCreatedMoreThanOnce,
    [],
  );
});

test("duplicates: in the source, across runs without an API call, and already in Authlete", async (t) => {
  const dir = tempDir(t);
  const { emulator, authlete } = await withEmulator(t);
  const rows = liveRows(6);
  const [foreignSame, foreignOther] = [rows[0]!, rows[2]!];
  for (const [row, subject] of [
    [foreignSame, foreignSame.user!],
    [foreignOther, "somebody-else"],
  ] as const) {
    const created = await tokenManagementCreate(authlete.core, {
      serviceId,
      tokenCreateRequest: {
        grantType: "AUTHORIZATION_CODE",
        clientId: webApp,
        subject,
        accessToken: row.token,
      },
    });
    assert.ok(created.ok);
  }
  const dump = writeDump(dir, "tokens.csv", [...rows, { ...rows[1]!, user: "copy" }]);
  const args = ["migrate", dump, "--mapping", writeMapping(dir), "--ledger", join(dir, "l.db"), "--json"];
  const first = await runCli(args, authleteEnv(emulator));
  assert.equal(first.code, 1, first.stderr);
  const s1 = JSON.parse(first.stdout) as Summary;
  assert.deepEqual([s1.created, s1.skipped, s1.rejected], [4, 1, 2]);
  assert.deepEqual(s1.reasons, { duplicate_in_source: 1, exists_in_authlete: 2 });

  const createsBefore = emulator.store.stats().calls["auth/token/create"];
  const second = await runCli(args, authleteEnv(emulator));
  const s2 = JSON.parse(second.stdout) as Summary;
  assert.deepEqual([s2.created, s2.skipped, s2.rejected], [0, 5, 2]);
  // A rerun leaves settled entries untouched, so the repeated row counts like its first occurrence.
  assert.deepEqual(s2.reasons, { already_migrated: 5, exists_in_authlete: 2 });
  assert.equal(emulator.store.stats().calls["auth/token/create"], createsBefore, "a rerun sends no create");
  assert.equal(s2.writer?.creates, 0);
});

test("a row Authlete refuses is rejected with its result code and is not retried unless asked", async (t) => {
  const dir = tempDir(t);
  const { emulator } = await withEmulator(t);
  const rows = liveRows(3);
  rows[1]!.scopes = "openid admin";
  // The service check would refuse the whole run for the unsupported scope: this is about the writer.
  const args = [
    "migrate",
    writeDump(dir, "tokens.csv", rows),
    "--mapping",
    writeMapping(dir),
    "--ledger",
    join(dir, "l.db"),
    "--json",
    "--no-check-service",
  ];
  const first = JSON.parse((await runCli(args, authleteEnv(emulator))).stdout) as Summary;
  assert.deepEqual([first.created, first.rejected, first.reasons], [2, 1, { authlete_rejected: 1 }]);
  const calls = emulator.store.stats().calls["auth/token/create"];
  const again = JSON.parse((await runCli(args, authleteEnv(emulator))).stdout) as Summary;
  assert.equal(again.rejected, 1);
  assert.equal(emulator.store.stats().calls["auth/token/create"], calls, "a rejected row is not re-sent");
  const retried = JSON.parse(
    (await runCli([...args, "--retry-rejected"], authleteEnv(emulator))).stdout,
  ) as Summary;
  assert.equal(retried.rejected, 1);
  assert.equal(
    emulator.store.stats().calls["auth/token/create"],
    calls! + 1,
    "--retry-rejected sends it again",
  );
});

test("after the mapping is fixed, a rerun says how many earlier rejections would now be sent, and --retry-rejected sends them", async (t) => {
  const dir = tempDir(t);
  const { emulator } = await withEmulator(t);
  const rows = liveRows(4).map((r, i) => (i === 1 ? { ...r, client: "partner" } : r));
  const dump = writeDump(dir, "tokens.csv", rows);
  const mapping = (clients: Record<string, unknown>) => writeMapping(dir, { ...generatedMapping, clients });
  const migrate = (file: string, extra: string[] = []) =>
    runCli(
      ["migrate", dump, "--mapping", file, "--ledger", join(dir, "l.db"), ...extra],
      authleteEnv(emulator),
    );
  const known = generatedMapping.clients;
  const first = await migrate(mapping(known));
  assert.equal(first.code, 1);
  assert.match(first.stdout, /client_unknown/);
  const fixed = mapping({ ...known, partner: webApp });
  const rerun = await migrate(fixed);
  assert.match(
    rerun.stdout,
    /1 row\(s\) an earlier run rejected map to a token now; they are not sent again unless you rerun with --retry-rejected\./,
  );
  const retried = JSON.parse((await migrate(fixed, ["--retry-rejected", "--json"])).stdout) as Summary;
  assert.deepEqual([retried.created, retried.rejected, retried.retryable], [1, 0, undefined]);
  assert.equal(emulator.store.stats().tokens, 4);
});
