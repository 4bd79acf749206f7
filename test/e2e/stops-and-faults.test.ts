import assert from "node:assert/strict";
import { hostname } from "node:os";
import { test } from "node:test";
import Database from "better-sqlite3";
import type { WireEvent } from "../../src/emulator/index.js";
import type { RunSummary } from "../../src/run/index.js";
import { runCli, startCli } from "../helpers/cli.js";
import { liveSetup } from "../helpers/dumps.js";
import { authleteEnv, withEmulator } from "../helpers/emulator.js";
import { ledgerStatus } from "../helpers/ledger.js";
import { until } from "../helpers/wait.js";

test("a second migrate on a ledger held by a live process is refused; a dead holder's run is taken over", async (t) => {
  const { emulator } = await withEmulator(t, { faults: { latencyMs: 300 } });
  const { ledger, args } = liveSetup(t, 40);
  const first = startCli(args(["--concurrency", "2"]), authleteEnv(emulator));
  await until(() => (emulator.store.stats().calls["auth/token/create"] ?? 0) >= 1, "the first run to start");
  const second = await runCli(args(), authleteEnv(emulator));
  assert.equal(second.code, 2);
  assert.match(second.stderr, /still using this ledger.*\[ledger_locked\]/);
  first.child.kill("SIGKILL");
  await first.result;
  assert.equal(ledgerStatus(ledger).runs[0]?.status, "running", "a killed run leaves its lock behind");
  const third = await runCli(args(["--concurrency", "8"]), authleteEnv(emulator));
  assert.equal(third.code, 0, third.stderr);
  const runs = ledgerStatus(ledger).runs;
  assert.deepEqual(
    runs.map((r) => r.status),
    ["aborted", "completed"],
  );
});

test("a killed run whose pid a live process has now (a container's pid 1, a sandbox reusing pids) holds nothing: the next run takes over", async (t) => {
  const { emulator } = await withEmulator(t, { faults: { latencyMs: 300 } });
  const { ledger, dump, args } = liveSetup(t, 30);
  const killed = startCli(args(["--concurrency", "2"]), authleteEnv(emulator));
  await until(() => (emulator.store.stats().calls["auth/token/create"] ?? 0) >= 1, "the first run to start");
  killed.child.kill("SIGKILL");
  await killed.result;
  // The killed run's pid, on this host, now belongs to a live process: this test's own.
  const db = new Database(ledger);
  db.prepare("UPDATE runs SET pid = ?, host = ? WHERE status = 'running'").run(process.pid, hostname());
  db.close();
  emulator.setFaults({ latencyMs: 0 });
  const rerun = await runCli(args(["--concurrency", "8"]), authleteEnv(emulator));
  assert.equal(rerun.code, 0, rerun.stderr);
  assert.deepEqual(
    ledgerStatus(ledger).runs.map((r) => r.status),
    ["aborted", "completed"],
  );
  const creates = Object.values(emulator.store.stats().creates);
  assert.deepEqual([creates.length, Math.max(...creates)], [dump.length, 1], "every token created once");
});

test("a 429's Retry-After pauses every call of the writer, and the run slows down and finishes", async (t) => {
  const events: WireEvent[] = [];
  const { emulator } = await withEmulator(t, {
    faults: { rateLimit: 4, rateLimitBurst: 1 },
    observe: (e) => events.push(e),
  });
  const { dump, args } = liveSetup(t, 8);
  const result = await runCli(args(["--rate", "50", "--concurrency", "4"]), authleteEnv(emulator));
  assert.equal(result.code, 0, result.stderr);
  const summary = JSON.parse(result.stdout) as Required<RunSummary>;
  assert.equal(summary.created, dump.length);
  assert.ok(summary.writer.rateLimited >= 1 && summary.writer.pauses >= 1, JSON.stringify(summary.writer));
  const creates = events.filter((e) => e.path.endsWith("/auth/token/create"));
  const limited = creates.filter((e) => e.kind === "answer" && e.status === 429);
  assert.ok(limited.length >= 1);
  for (const answer of limited) {
    // None may start during the pause; calls sent before the 429 was read may still arrive, however late
    // a loaded machine delivers them. Counted, not timed: of the 4 calls the writer may have open, one is
    // the 429's own (retried only after the pause) and the ones Authlete was working on are not on the
    // wire, so at most the rest can arrive inside the second after the answer.
    const before = (kind: WireEvent["kind"]) =>
      creates.filter((e) => e.kind === kind && e.at <= answer.at).length;
    const atAuthlete = before("request") - before("answer");
    const during = creates.filter((e) => e.kind === "request" && e.at > answer.at && e.at < answer.at + 900);
    assert.ok(
      during.length <= 4 - 1 - atAuthlete,
      `${during.length} calls arrived while Retry-After (1 s) ran, ${atAuthlete} were at Authlete`,
    );
  }
});

test("when Authlete keeps failing, the circuit breaker pauses, then the run aborts with exit 3 and loses nothing", async (t) => {
  const { emulator } = await withEmulator(t, { faults: { errorRate: 1 } });
  const { dump, ledger, args } = liveSetup(t, 30);
  // Past the service check (which stops a service failing from the start, below), into the writer.
  const result = await runCli(
    args(["--give-up-after", "2", "--concurrency", "4", "--no-check-service"]),
    authleteEnv(emulator),
  );
  assert.equal(result.code, 3, result.stderr);
  const summary = JSON.parse(result.stdout) as Required<RunSummary>;
  assert.equal(summary.status, "aborted");
  assert.equal(summary.error.code, "service_unreachable");
  assert.ok(summary.writer.circuitOpenings >= 1);
  assert.equal(
    summary.created + summary.skipped + summary.rejected + summary.failed + summary.pending,
    summary.rows,
  );
  assert.ok(summary.rows < dump.length, "the run stopped early instead of failing every row");
  const states = ledgerStatus(ledger).states;
  assert.equal(states.created + states.skipped + states.rejected, 0);
  assert.equal(emulator.store.stats().tokens, 0);

  const checked = await runCli(args(["--give-up-after", "2"]), authleteEnv(emulator));
  assert.equal(checked.code, 3, checked.stderr);
  assert.match(checked.stderr, /keeps failing.*\[service_unreachable\]/);
  assert.equal(emulator.store.stats().calls["auth/token/create"] ?? 0, summary.writer.creates);
});

test("a SIGTERM during the passes before the run (service check, pre-scan) stops it before anything is sent", async (t) => {
  const cli: { run?: ReturnType<typeof startCli> } = {};
  const { emulator } = await withEmulator(t, {
    faults: { latencyMs: 300 },
    // The signal lands while the service's settings are read; the dump is scanned right after.
    observe: (e) => {
      if (e.kind === "request" && e.path.includes("/service/get")) cli.run?.child.kill("SIGTERM");
    },
  });
  const { ledger, args } = liveSetup(t, 50);
  cli.run = startCli(args(), authleteEnv(emulator));
  const stopped = await cli.run.result;
  assert.equal(stopped.code, 3, stopped.stderr);
  assert.match(stopped.stderr, /stopped by a signal before the run began; nothing was sent \[interrupted\]/);
  assert.equal(emulator.store.stats().calls["auth/token/create"], undefined);
  assert.deepEqual(ledgerStatus(ledger).runs, []);
});
