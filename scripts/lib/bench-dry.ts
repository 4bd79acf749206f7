// npm run bench, dry runs: each row shape against its own raw-parser baseline in the same run, with the CPU
// of the main thread (hashing, admission, ledger) and the reading thread (parse, map, pack) to say which bounds it.
import { rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeBenchDump, type BenchFormat, type BenchShape } from "./bench-dump.js";
import { accessOnlyMapping, generatedMapping } from "./generated-mapping.js";
import { median } from "./live-runs.js";
import { measure, type Measured } from "./measure.js";
import { cliPath } from "./spawn-emulator.js";

interface Variant {
  shape: BenchShape;
  format: BenchFormat;
  /** The target the issue set, where it set one. */
  target?: (rows: number) => number;
}

export const dryVariants: Variant[] = [
  { shape: "two-token", format: "csv", target: (rows) => (rows >= 1_000_000 ? 1.2 : 1.0) },
  { shape: "access-only", format: "csv" },
  { shape: "two-token", format: "json" },
  { shape: "two-token", format: "ndjson" },
];

const lib = (name: string) => fileURLToPath(new URL(`./${name}`, import.meta.url));
const baseline = (format: BenchFormat, file: string) =>
  format === "csv" ? [lib("raw-csv-parse.js"), file] : [lib("raw-json-parse.js"), format, file];
const baselineName = {
  csv: "csv-parse (columns: true)",
  json: "stream-json StreamArray",
  ndjson: "readline + JSON.parse",
};

/** A thread's CPU seconds, rounded for the table. */
const cpu = (seconds: number) => +seconds.toFixed(2);

export async function benchDry(
  out: string,
  sizes: number[],
  repeats: number,
  report: (row: Record<string, unknown>) => void,
): Promise<void> {
  for (const rows of sizes)
    for (const { shape, format, target } of dryVariants) {
      const file = join(out, `dry-${shape}-${rows}.${format}`);
      await writeBenchDump(file, rows, format, "d", shape);
      const mapping = join(out, `mapping-${shape}.json`);
      writeFileSync(mapping, JSON.stringify(shape === "access-only" ? accessOnlyMapping : generatedMapping));
      const ledger = join(out, "dry.db");
      const pairs: { raw: Measured; dry: Measured }[] = [];
      // Alternating pairs: a machine that slows down mid-bench slows both sides of a pair alike.
      for (let i = 0; i < repeats; i++) {
        const raw = await measure(process.execPath, baseline(format, file));
        if (raw.code !== 0) throw new Error(`the baseline of ${file} exited ${raw.code}`);
        for (const suffix of ["", "-wal", "-shm"]) rmSync(ledger + suffix, { force: true });
        const args = [cliPath, "migrate", file, "--mapping", mapping, "--ledger", ledger, "--dry-run"];
        const dry = await measure(process.execPath, [...args, "--json", "--quiet"]);
        if (dry.code !== 0) throw new Error(`the dry run of ${file} exited ${dry.code}`);
        pairs.push({ raw, dry });
      }
      const ratios = pairs.map((p) => p.raw.seconds / p.dry.seconds);
      const threads = pairs.map((p) => p.dry.threads).filter((t) => t !== undefined);
      const main = median(threads.map((t) => t.main));
      // A JSON array and a dump under 1 MiB are read on the main thread (read/index.ts): no reading thread.
      const apart = format !== "json" && statSync(file).size >= 1 << 20;
      const reading = apart ? median(threads.map((t) => t.others[0] ?? 0)) : 0;
      rmSync(file, { force: true });
      const goal = target?.(rows);
      report({
        what: `dry run vs ${baselineName[format]}, ${shape} ${format}, whole processes`,
        rows,
        rowsPerSecond: pairs.map((p) => ({
          raw: Math.round(rows / p.raw.seconds),
          dry: Math.round(rows / p.dry.seconds),
        })),
        ratioMin: +Math.min(...ratios).toFixed(2),
        ratioMedian: +median(ratios).toFixed(2),
        // The busiest thread besides the main one is the reading thread; the rest are V8's helpers (GC).
        cpuSeconds: threads.length
          ? {
              main: cpu(main),
              reading: apart ? cpu(reading) : "none (read on the main thread)",
              rest: cpu(median(threads.map((t) => t.others.slice(apart ? 1 : 0).reduce((a, b) => a + b, 0)))),
            }
          : "not measured (no /proc)",
        boundBy: threads.length
          ? main >= reading
            ? "main thread (key hashing, admission, ledger appends, duplicate filter)"
            : "reading thread (parse, map, pack)"
          : "unknown",
        target: goal === undefined ? "none set (>= 1.0 aimed at)" : `>= ${goal}`,
        met: goal === undefined ? undefined : median(ratios) >= goal,
      });
    }
}
