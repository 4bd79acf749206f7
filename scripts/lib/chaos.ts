import { spawn } from "node:child_process";
import { once } from "node:events";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { seededRandom } from "../../src/emulator/faults.js";
import type { StoredToken } from "../../src/emulator/index.js";
import { writeChaosDump, type ChaosDump } from "./chaos-dump.js";
import { generatedMapping } from "./generated-mapping.js";
import { cliPath, emulatorEnv, spawnEmulator, type SpawnedEmulator } from "./spawn-emulator.js";

export interface ChaosOptions {
  rows: number;
  kills: number;
  seed: number;
  dir: string;
  concurrency: number;
  rate: number;
  /** The emulator's own rate limit, below `rate`, so 429s with Retry-After happen. */
  emulatorRateLimit: number;
  /** The emulator's clock ahead (+) of or behind (−) the host's, ms. */
  clockOffsetMs?: number;
  log: (line: string) => void;
}

export interface ChaosReport {
  rows: number;
  kills: number;
  emulatorRestarts: number;
  runs: number;
  faults: Record<string, number>;
  expected: number;
  stored: number;
  duplicatesCreated: number;
  lost: number;
  unexpected: number;
  forbiddenCreated: number;
  mismatches: number;
  /** Stored expiries later than the legacy ones (each also counts as a mismatch). */
  lateExpiries: number;
  ledgerRowsAddUp: boolean;
  seconds: number;
  violations: string[];
}

interface RunResult {
  code: number | null;
  stdout: string;
  /** The run's last words on stderr, so a failed final run says why. */
  stderr: string;
  killed: boolean;
}

function startMigrate(args: string[], env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, [cliPath, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  const done = once(child, "close").then(([code]): RunResult => ({
    code: code as number | null,
    stdout,
    stderr,
    killed: child.signalCode === "SIGKILL",
  }));
  return { child, done };
}

async function state(emulator: SpawnedEmulator) {
  return (await (await fetch(`${emulator.baseUrl}/__emulator/state`)).json()) as {
    faultsPlayed: Record<string, number>;
    hashesCreatedMoreThanOnce: unknown[];
  };
}

function addFaults(total: Record<string, number>, played: Record<string, number>): void {
  for (const [k, v] of Object.entries(played)) total[k] = (total[k] ?? 0) + v;
}

/**
 * Migrates a generated dump into an emulator that keeps its tokens in SQLite and injects faults,
 * SIGKILLs the migration at random moments and the emulator once, resumes until done, then checks
 * through the inspection routes that every token landed exactly once and as it should.
 */
export async function runChaos(o: ChaosOptions): Promise<ChaosReport> {
  const started = performance.now();
  const random = seededRandom(o.seed);
  const dumpFile = join(o.dir, "chaos.csv");
  const dump = await writeChaosDump(dumpFile, o.rows, o.seed);
  const mappingFile = join(o.dir, "mapping.json");
  writeFileSync(mappingFile, JSON.stringify(generatedMapping));
  const store = join(o.dir, "emulator.db");
  const faultArgs = [
    "--store",
    store,
    "--fault-seed",
    String(o.seed),
    "--error-rate",
    "0.05",
    "--reset-rate",
    "0.01",
    "--lost-response-rate",
    "0.01",
    "--commit-then-error-rate",
    "0.01",
    "--clock-offset-ms",
    String(o.clockOffsetMs ?? 0),
    "--latency-ms",
    "1",
    "--jitter-ms",
    "8",
    "--rate-limit",
    String(o.emulatorRateLimit),
    "--rate-limit-burst",
    String(Math.ceil(o.emulatorRateLimit / 10)),
  ];
  let emulator = await spawnEmulator(faultArgs);
  const port = new URL(emulator.baseUrl).port;
  const faults: Record<string, number> = {};
  const env = emulatorEnv(emulator);
  const args = [
    "migrate",
    dumpFile,
    "--mapping",
    mappingFile,
    "--ledger",
    join(o.dir, "ledger.db"),
    "--json",
    "--quiet",
    "--concurrency",
    String(o.concurrency),
    "--rate",
    String(o.rate),
    "--timeout-ms",
    "5000",
    "--give-up-after",
    "60",
    "--max-clock-skew",
    String(60 + Math.ceil(Math.abs(o.clockOffsetMs ?? 0) / 1000)),
  ];
  let kills = 0;
  let runs = 0;
  let restarts = 0;
  const restartAt = Math.floor(o.kills / 2);
  try {
    // Until the migration has really been killed o.kills times (a run may finish before its moment comes).
    for (let k = 0; kills < o.kills && k < o.kills * 3; k++) {
      const run = startMigrate(args, env);
      runs++;
      const delay = 400 + random() * 2200;
      if (k === restartAt) {
        await sleep(delay / 2);
        addFaults(faults, (await state(emulator)).faultsPlayed);
        emulator.child.kill("SIGKILL");
        await once(emulator.child, "exit");
        await sleep(800);
        emulator = await spawnEmulator(faultArgs, Number(port));
        restarts++;
        o.log(`chaos: emulator killed and restarted during run ${runs}`);
        await sleep(delay / 2);
      } else await sleep(delay);
      const alive = run.child.exitCode === null;
      if (alive) {
        run.child.kill("SIGKILL");
        kills++;
      }
      await run.done;
      o.log(
        `chaos: run ${runs} ${alive ? "SIGKILLed" : "had already finished"} after ${Math.round(delay)} ms`,
      );
    }
    let final: RunResult | undefined;
    for (let attempt = 0; attempt < 5; attempt++) {
      final = await startMigrate(args, env).done;
      runs++;
      if (final.code === 0) break;
      o.log(`chaos: run ${runs} exited ${final.code} (${final.stderr.trim()}); resuming again`);
    }
    addFaults(faults, (await state(emulator)).faultsPlayed);
    const repeated = (await state(emulator)).hashesCreatedMoreThanOnce.length;
    const tokens = (await (await fetch(`${emulator.baseUrl}/__emulator/tokens`)).json()) as StoredToken[];
    const report = verify(dump, tokens, final, repeated);
    return {
      ...report,
      rows: o.rows,
      kills,
      emulatorRestarts: restarts,
      runs,
      faults,
      seconds: Math.round((performance.now() - started) / 100) / 10,
    };
  } finally {
    await emulator.stop();
  }
}

type Verification = Omit<ChaosReport, "rows" | "kills" | "emulatorRestarts" | "runs" | "faults" | "seconds">;

function verify(
  dump: ChaosDump,
  tokens: StoredToken[],
  final: RunResult | undefined,
  repeated: number,
): Verification {
  const violations: string[] = [];
  const byHash = new Map(tokens.map((t) => [t.accessHash, t]));
  let lost = 0;
  let mismatches = 0;
  let lateExpiries = 0;
  const within = (actual: number | null, legacy: number | null) =>
    actual !== null && legacy !== null && actual <= legacy && legacy - actual <= 2000;
  for (const [hash, want] of dump.expected) {
    const got = byHash.get(hash);
    if (!got) {
      lost++;
      continue;
    }
    const ok =
      got.clientId === want.clientId &&
      got.subject === want.subject &&
      got.scopes.join(" ") === want.scopes.join(" ") &&
      got.refreshHash === want.refreshHash &&
      (want.accessExpiresAt === null || within(got.accessExpiresAt, want.accessExpiresAt)) &&
      (want.refreshHash === null || within(got.refreshExpiresAt, want.refreshExpiresAt));
    const late = (actual: number | null, legacy: number | null) =>
      actual !== null && legacy !== null && actual > legacy;
    if (
      late(got.accessExpiresAt, want.accessExpiresAt) ||
      (want.refreshHash !== null && late(got.refreshExpiresAt, want.refreshExpiresAt))
    )
      lateExpiries++;
    if (!ok) {
      mismatches++;
      if (mismatches <= 3)
        violations.push(`token ${hash.slice(0, 8)} differs: ${JSON.stringify({ got, want })}`);
    }
  }
  const unexpected = tokens.filter((t) => !dump.expected.has(t.accessHash)).length;
  const forbiddenCreated = tokens.filter((t) => dump.forbidden.has(t.accessHash)).length;
  let ledgerRowsAddUp = false;
  if (final?.code === 0) {
    const s = JSON.parse(final.stdout) as {
      rows: number;
      created: number;
      skipped: number;
      rejected: number;
      failed: number;
      pending: number;
    };
    ledgerRowsAddUp =
      s.rows === dump.rows && s.created + s.skipped + s.rejected + s.failed === s.rows && s.pending === 0;
  } else violations.push(`the final run did not complete (exit ${final?.code}): ${final?.stderr.trim()}`);
  if (lost) violations.push(`${lost} expected token(s) missing`);
  if (unexpected) violations.push(`${unexpected} unexpected token(s) stored`);
  if (forbiddenCreated) violations.push(`${forbiddenCreated} expired or revoked token(s) created`);
  if (repeated) violations.push(`${repeated} hash(es) created more than once`);
  if (!ledgerRowsAddUp) violations.push("ledger counts do not add up to the rows");
  return {
    expected: dump.expected.size,
    stored: tokens.length,
    duplicatesCreated: repeated,
    lost,
    unexpected,
    forbiddenCreated,
    mismatches,
    lateExpiries,
    ledgerRowsAddUp,
    violations,
  };
}

/** The one line `npm run chaos` prints. */
export function chaosLine(r: ChaosReport): string {
  const f = r.faults;
  return `chaos: rows=${r.rows} kills=${r.kills} emulatorRestarts=${r.emulatorRestarts} runs=${r.runs} faults: 5xx=${f.error ?? 0} 429=${f.rateLimited ?? 0} lostResponses=${f.lostResponse ?? 0} commitThen5xx=${f.commitThenError ?? 0} resets=${f.reset ?? 0} | expected=${r.expected} stored=${r.stored} duplicatesCreated=${r.duplicatesCreated} lost=${r.lost} unexpected=${r.unexpected} expiredOrRevokedCreated=${r.forbiddenCreated} mismatches=${r.mismatches} lateExpiries=${r.lateExpiries} ledgerAddsUp=${r.ledgerRowsAddUp} time=${r.seconds}s`;
}
