// npm run bench: whole-process measurements with their baselines from the same run; a table and bench-out/bench.json.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeBenchDump } from "./lib/bench-dump.js";
import { benchDry } from "./lib/bench-dry.js";
import { generatedMapping } from "./lib/generated-mapping.js";
import { compareWriters, median, ratesOf, runLive, stat } from "./lib/live-runs.js";
import { projectedCeiling } from "./lib/projection.js";
import { measure, type Measured } from "./lib/measure.js";
import { bareUndici, xargsCurl } from "./lib/peers.js";
import { compareTransports } from "./lib/sdk-transport.js";
import { cliPath, emulatorEnv, spawnEmulator } from "./lib/spawn-emulator.js";

const out = fileURLToPath(new URL("../../bench-out/", import.meta.url));
const big = Number(process.env.BENCH_BIG_ROWS ?? 10_000_000);
const base = Number(process.env.BENCH_ROWS ?? 1_000_000);
const only = (process.env.BENCH_ONLY ?? "dry,live,ceiling,transport,memory,resume").split(",");
mkdirSync(out, { recursive: true });
const mapping = join(out, "mapping.json");
writeFileSync(mapping, JSON.stringify(generatedMapping));
const results: Record<string, unknown>[] = [];
const node = process.execPath;

function report(row: Record<string, unknown>): void {
  results.push(row);
  console.log(JSON.stringify(row));
  writeFileSync(join(out, "bench.json"), JSON.stringify({ machine: machine(), results }, null, 1));
}

function machine() {
  return {
    node: process.version,
    cpus: availableParallelism(),
    platform: process.platform,
  };
}

async function dump(rows: number, format: "csv" | "json", tag = "b"): Promise<string> {
  const file = join(out, `${tag}-${rows}.${format}`);
  await writeBenchDump(file, rows, format, tag);
  return file;
}

function migrateArgs(file: string, ledger: string, extra: string[]): string[] {
  rmSync(ledger, { force: true });
  rmSync(`${ledger}-wal`, { force: true });
  rmSync(`${ledger}-shm`, { force: true });
  return [cliPath, "migrate", file, "--mapping", mapping, "--ledger", ledger, "--json", "--quiet", ...extra];
}

/** How many times a whole-process pair is measured, alternating baseline and subject. */
const repeats = Number(process.env.BENCH_REPEAT ?? 3);

if (only.includes("dry")) await benchDry(out, [200_000, base], repeats, report);

// Not navigator.hardwareConcurrency: Node 20 has no navigator, and the bench took this machine for 1 core.
const cores = availableParallelism();
/** The writer threads a run gets by default (cores − 1, at least 1); 0 makes the calls on the main thread. */
const defaultWriters = Math.max(1, cores - 1);
const writerVariants = [...new Set([0, 1, defaultWriters, defaultWriters + 1])];
const liveRun = (file: string, emulatorArgs: string[], extra: string[]) =>
  runLive(migrateArgs(file, join(out, "live.db"), extra), emulatorArgs);
const writerRuns = (file: string, emulatorArgs: string[], extra: string[]) =>
  compareWriters(writerVariants, repeats, (writers) =>
    liveRun(file, emulatorArgs, [...extra, "--writers", String(writers)]),
  );

if (only.includes("live")) {
  // A run of about 15 s at each emulator rate limit, with --rate at the limit, on the default pool.
  for (const limit of [200, 1000]) {
    const args = [
      "--latency-ms",
      "20",
      "--rate-limit",
      String(limit),
      "--rate-limit-burst",
      String(limit / 10),
    ];
    const client = ["--rate", String(limit), "--concurrency", limit > 500 ? "64" : "16"];
    const file = await dump(limit * 15, "csv", `live${limit * 15}`);
    const runs = [];
    for (let i = 0; i < repeats; i++) runs.push(await liveRun(file, args, client));
    report({
      what: `live, 20 ms latency, emulator limit ${limit}/s, --rate ${limit}, --writers ${defaultWriters} (default)`,
      rows: limit * 15,
      achievedPerSecond: stat(runs.map((r) => r.perSecond)),
      ratioMin: +(Math.min(...runs.map((r) => r.perSecond)) / limit).toFixed(2),
      rateLimitedMax: Math.max(...runs.map((r) => r.rateLimited)),
      target: ">= 0.95 of the limit, 0 x 429",
    });
  }
  // No limit: the bound is concurrency ÷ latency, or the CPU that makes the calls.
  for (const concurrency of [16, 64]) {
    const bound = concurrency / 0.02;
    const file = await dump(bound * 10, "csv", `live${bound * 10}`);
    const rates = ratesOf(
      await writerRuns(
        file,
        ["--latency-ms", "20"],
        ["--rate", "100000", "--concurrency", String(concurrency)],
      ),
    );
    const single = rates.get(0)!;
    const pool = rates.get(defaultWriters)!;
    // What this machine allows at this latency at all: a bare undici client (no SDK, no ledger) against
    // the same emulator, which shares the two cores.
    const emulator = await spawnEmulator(["--latency-ms", "20"]);
    let bare: number;
    try {
      bare = await bareUndici(emulator.baseUrl, emulator.serviceId, emulator.bearer, bound * 10, concurrency);
    } finally {
      await emulator.stop();
    }
    report({
      what: `live, 20 ms latency, no limit, c${concurrency} (C/L = ${bound}/s), by --writers (0: on the main thread)`,
      rows: bound * 10,
      perSecond: Object.fromEntries([...rates].map(([w, r]) => [`writers${w}`, stat(r)])),
      poolVsSingle: {
        min: +(Math.min(...pool) / Math.max(...single)).toFixed(2),
        median: +(median(pool) / median(single)).toFixed(2),
      },
      ofBoundMedian: +(median(pool) / bound).toFixed(2),
      bareUndiciPerSecond: Math.round(bare),
      poolVsBareUndici: +(median(pool) / bare).toFixed(2),
      target: concurrency === 64 ? ">= 1.6x the single writer" : "",
    });
  }
}

if (only.includes("ceiling")) {
  const rows = 20000;
  const file = await dump(rows, "csv", "ceiling");
  const runs = await writerRuns(file, [], ["--rate", "100000", "--concurrency", "64"]);
  const rates = ratesOf(runs);
  const emulator = await spawnEmulator();
  try {
    const bare = await bareUndici(emulator.baseUrl, emulator.serviceId, emulator.bearer, rows, 64);
    const curl = await xargsCurl(emulator.baseUrl, emulator.serviceId, emulator.bearer, 2000);
    const pool = rates.get(defaultWriters)!;
    report({
      what: "zero-latency ceiling, c64: authlete-migrate (SDK + ledger) by --writers vs bare undici vs xargs -P 32 curl",
      perSecond: Object.fromEntries([...rates].map(([w, r]) => [`writers${w}`, stat(r)])),
      bareUndiciPerSecond: Math.round(bare),
      xargsCurlPerSecond: Math.round(curl),
      vsCurl: { min: +(Math.min(...pool) / curl).toFixed(1), median: +(median(pool) / curl).toFixed(1) },
      vsBareUndici: +(median(pool) / bare).toFixed(2),
      targets: ">= 10x curl",
    });
    report(projectedCeiling(runs.get(defaultWriters)!, cores));
  } finally {
    await emulator.stop();
  }
}

if (only.includes("transport")) {
  const emulator = await spawnEmulator();
  try {
    const { before, after } = await compareTransports(
      emulator.baseUrl,
      emulator.serviceId,
      emulator.bearer,
      10_000,
      64,
    );
    report({
      what: "SDK transport, zero latency, c64: default global fetch (before) vs keep-alive undici fetcher (after)",
      beforePerSecond: Math.round(before),
      afterPerSecond: Math.round(after),
      gain: +(after / before).toFixed(2),
    });
  } finally {
    await emulator.stop();
  }
}

if (only.includes("memory")) {
  for (const format of ["csv", "json"] as const) {
    const peaks: Record<number, number> = {};
    for (const rows of [base, big]) {
      const file = await dump(rows, format, "mem");
      const run = await measure(node, migrateArgs(file, join(out, "mem.db"), ["--dry-run"]));
      peaks[rows] = run.maxRssMb;
      rmSync(file, { force: true });
    }
    report({
      what: `peak RSS of a dry run, ${format}`,
      [`rss${base}Mb`]: peaks[base],
      [`rss${big}Mb`]: peaks[big],
      growth: +(peaks[big]! / peaks[base]!).toFixed(2),
      targets: "<= 250 MB, growth <= 1.2",
    });
  }
}

if (only.includes("resume")) {
  const rows = Number(process.env.BENCH_RESUME_ROWS ?? base);
  const emulator = await spawnEmulator();
  try {
    const file = await dump(rows, "csv", "resume");
    const env = emulatorEnv(emulator);
    const ledger = join(out, "resume.db");
    await measure(node, migrateArgs(file, ledger, ["--rate", "100000", "--concurrency", "64"]), env);
    const rerunArgs = [
      cliPath,
      "migrate",
      file,
      "--mapping",
      mapping,
      "--ledger",
      ledger,
      "--json",
      "--quiet",
    ];
    const pairs: { rerun: Measured; checked: Measured; dry: Measured }[] = [];
    // Alternating, as the dry runs: a rerun changes nothing, so each is the same rerun again. The checked
    // rerun reads the service (--check-service), as a rerun with rows left to send does, while its
    // settled rows are counted; the plain one finds nothing to send and does not read it.
    for (let i = 0; i < repeats; i++) {
      const rerun = await measure(node, [...rerunArgs, "--rate", "100000"], env);
      const dry = await measure(node, migrateArgs(file, join(out, "resume-dry.db"), ["--dry-run"]));
      const checked = await measure(node, [...rerunArgs, "--rate", "100000", "--check-service"], env);
      if (rerun.code !== 0 || dry.code !== 0 || checked.code !== 0)
        throw new Error(`rerun exited ${rerun.code}, dry run ${dry.code}, checked rerun ${checked.code}`);
      pairs.push({ rerun, checked, dry });
    }
    const ratios = pairs.map((p) => p.rerun.seconds / p.dry.seconds);
    const checkedRatios = pairs.map((p) => p.checked.seconds / p.dry.seconds);
    type Rerun = { skipped: number; writer?: { calls: number }; serviceNotRead?: string };
    const [s, c] = [pairs[0]!.rerun, pairs[0]!.checked].map((m) => JSON.parse(m.stdout) as Rerun);
    report({
      what: "rerun of a completed migration (no API calls) vs a dry run",
      rows,
      seconds: pairs.map((p) => ({ rerun: p.rerun.seconds, dry: p.dry.seconds, checked: p.checked.seconds })),
      // Lower is better here: the rerun's time over the dry run's.
      ratioMin: +Math.min(...ratios).toFixed(2),
      ratioMedian: +median(ratios).toFixed(2),
      skipped: s!.skipped,
      apiCalls: s!.writer?.calls ?? 0,
      serviceRead: s!.serviceNotRead === undefined,
      target: "<= 1.0",
      met: median(ratios) <= 1.0,
      checkedRerun: {
        ratioMin: +Math.min(...checkedRatios).toFixed(2),
        ratioMedian: +median(checkedRatios).toFixed(2),
        serviceRead: c!.serviceNotRead === undefined,
        apiCalls: c!.writer?.calls ?? 0,
      },
    });
  } finally {
    await emulator.stop();
  }
}
console.log(`\nwritten: ${join(out, "bench.json")}`);
