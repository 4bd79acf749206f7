// npm run bench: whole-process measurements with their baselines from the same run; a table and bench-out/bench.json.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeBenchDump } from "./lib/bench-dump.js";
import { generatedMapping } from "./lib/generated-mapping.js";
import { measure } from "./lib/measure.js";
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
    cpus: (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency,
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
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

if (only.includes("dry")) {
  const file = await dump(base, "csv");
  const ratios: number[] = [];
  const rates: { raw: number; dry: number }[] = [];
  // Alternating pairs: a machine that slows down mid-bench slows both sides of a pair alike.
  for (let i = 0; i < repeats; i++) {
    const raw = await measure(node, [
      fileURLToPath(new URL("./lib/raw-csv-parse.js", import.meta.url)),
      file,
    ]);
    const dry = await measure(node, migrateArgs(file, join(out, "dry.db"), ["--dry-run"]));
    ratios.push(raw.seconds / dry.seconds);
    rates.push({ raw: Math.round(base / raw.seconds), dry: Math.round(base / dry.seconds) });
  }
  report({
    what: "dry run vs raw csv-parse (columns: true)",
    rows: base,
    runs: rates,
    ratioMin: +Math.min(...ratios).toFixed(2),
    ratioMedian: +median(ratios).toFixed(2),
    target: ">= 0.5",
  });
}

async function live(
  label: string,
  rows: number,
  emulatorArgs: string[],
  migrateExtra: string[],
  limit: number,
) {
  const emulator = await spawnEmulator(emulatorArgs);
  try {
    const file = await dump(rows, "csv", `live${rows}`);
    const env = emulatorEnv(emulator);
    const run = await measure(node, migrateArgs(file, join(out, "live.db"), migrateExtra), env);
    const s = JSON.parse(run.stdout) as {
      created: number;
      writer: { activeMs: number; rateLimited: number };
    };
    const achieved = s.created / (s.writer.activeMs / 1000);
    report({
      what: label,
      rows,
      created: s.created,
      achievedPerSecond: Math.round(achieved),
      limit,
      ratio: +(achieved / limit).toFixed(2),
      rateLimited: s.writer.rateLimited,
    });
  } finally {
    await emulator.stop();
  }
}

if (only.includes("live")) {
  // A run of about 15 s at each emulator rate limit, with --rate at the limit.
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
    await live(
      `live, 20 ms latency, emulator limit ${limit}/s, --rate ${limit}`,
      limit * 15,
      args,
      client,
      limit,
    );
  }
  // No limit: the bound is concurrency ÷ latency.
  for (const concurrency of [16, 64]) {
    const bound = concurrency / 0.02;
    const label = `live, 20 ms latency, no limit, c${concurrency} (C/L = ${bound}/s)`;
    await live(
      label,
      bound * 10,
      ["--latency-ms", "20"],
      ["--rate", "100000", "--concurrency", String(concurrency)],
      bound,
    );
  }
}

if (only.includes("ceiling")) {
  const emulator = await spawnEmulator();
  try {
    const rows = 20000;
    const file = await dump(rows, "csv", "ceiling");
    const env = emulatorEnv(emulator);
    const run = await measure(
      node,
      migrateArgs(file, join(out, "ceiling.db"), ["--rate", "100000", "--concurrency", "64"]),
      env,
    );
    const s = JSON.parse(run.stdout) as { created: number; writer: { activeMs: number } };
    const tool = s.created / (s.writer.activeMs / 1000);
    const bare = await bareUndici(emulator.baseUrl, emulator.serviceId, emulator.bearer, rows, 64);
    const curl = await xargsCurl(emulator.baseUrl, emulator.serviceId, emulator.bearer, 2000);
    report({
      what: "zero-latency ceiling: authlete-migrate (SDK + ledger) vs bare undici vs xargs -P 32 curl",
      toolPerSecond: Math.round(tool),
      bareUndiciPerSecond: Math.round(bare),
      xargsCurlPerSecond: Math.round(curl),
      vsCurl: +(tool / curl).toFixed(1),
      vsBareUndici: +(tool / bare).toFixed(2),
      targets: ">= 10x curl, >= 0.5x bare undici",
    });
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
    const rerun = await measure(
      node,
      [
        cliPath,
        "migrate",
        file,
        "--mapping",
        mapping,
        "--ledger",
        ledger,
        "--json",
        "--quiet",
        "--rate",
        "100000",
      ],
      env,
    );
    const dry = await measure(node, migrateArgs(file, join(out, "resume-dry.db"), ["--dry-run"]));
    const s = JSON.parse(rerun.stdout) as { skipped: number; writer: { calls: number } };
    report({
      what: "rerun of a completed migration (no API calls) vs a dry run",
      rows,
      rerunSeconds: rerun.seconds,
      dryRunSeconds: dry.seconds,
      ratio: +(rerun.seconds / dry.seconds).toFixed(2),
      skipped: s.skipped,
      apiCalls: s.writer.calls,
      target: "<= 1.0",
    });
  } finally {
    await emulator.stop();
  }
}
console.log(`\nwritten: ${join(out, "bench.json")}`);
